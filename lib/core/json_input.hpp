#pragma once
// JSON from outside the process (request bodies, replies from controllers,
// agents and Alertmanager, Kubernetes objects) is parsed here and nowhere
// else. nlohmann's parser is iterative, but dump() and every reader that walks
// a value recurse: 60,000 nested arrays overflow the stack. So documents nested
// deeper than a fixed limit are refused while parsing, before a tree exists.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace netprobe {

// Every document netprobe reads is a few levels deep (a report is 3); 32 leaves
// room for what a Kubernetes object holds without letting recursion run away.
inline constexpr std::size_t kMaxJsonDepth = 32;

class JsonInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The parsed document. Throws JsonInputError, whose message says what is wrong
// ("not valid JSON at byte 12: …", "nested deeper than 32 levels").
nlohmann::json parse_json_input(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

}  // namespace netprobe
