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
// ("not valid JSON: parse error at line 1, column 3: …", "nested deeper than 32 levels").
nlohmann::json parse_json_input(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

// The same reading without a tree: `reader` (nlohmann's SAX interface) sees
// each value as the parser meets it, behind the same depth limit, and the
// same JsonInputError is thrown. For documents read so often that building
// their tree is the cost (agents' reports: report.cpp).
template <typename Reader>
void read_json_input(std::string_view text, Reader& reader, std::size_t max_depth = kMaxJsonDepth);

namespace detail {

// Counts depth in front of another reader: returning false from a SAX event
// stops the parser at once.
template <typename Reader>
class DepthLimited {
 public:
  using json = nlohmann::json;
  DepthLimited(Reader& reader, std::size_t max_depth) : reader_(reader), max_depth_(max_depth) {}

  bool null() { return reader_.null(); }
  bool boolean(bool value) { return reader_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return reader_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return reader_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) { return reader_.number_float(value, text); }
  bool string(json::string_t& value) { return reader_.string(value); }
  bool binary(json::binary_t& value) { return reader_.binary(value); }
  bool key(json::string_t& value) { return reader_.key(value); }
  bool start_object(std::size_t elements) { return enter() && reader_.start_object(elements); }
  bool end_object() {
    --depth_;
    return reader_.end_object();
  }
  bool start_array(std::size_t elements) { return enter() && reader_.start_array(elements); }
  bool end_array() {
    --depth_;
    return reader_.end_array();
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& error) {
    syntax_error_ = error.what();
    return reader_.parse_error(position, token, error);
  }

  bool too_deep() const { return too_deep_; }
  const std::string& syntax_error() const { return syntax_error_; }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  Reader& reader_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  std::string syntax_error_;
};

// Throws the JsonInputError for a parse that stopped.
[[noreturn]] void throw_input_error(bool too_deep, const std::string& syntax_error, std::size_t max_depth);

}  // namespace detail

template <typename Reader>
void read_json_input(std::string_view text, Reader& reader, std::size_t max_depth) {
  detail::DepthLimited<Reader> limited(reader, max_depth);
  if (!nlohmann::json::sax_parse(text, &limited) || limited.too_deep()) {
    detail::throw_input_error(limited.too_deep(), limited.syntax_error(), max_depth);
  }
}

}  // namespace netprobe
