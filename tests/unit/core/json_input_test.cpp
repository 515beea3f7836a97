#include "core/json_input.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace netprobe;

namespace {

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string error_of(std::string_view text, std::size_t max_depth = kMaxJsonDepth) {
  try {
    parse_json_input(text, max_depth);
  } catch (const JsonInputError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("documents within the depth limit parse as nlohmann would") {
  const auto value = parse_json_input(R"({"node": "n1", "results": [{"outcome": "ok", "n": 1.5}]})");
  CHECK(value["node"] == "n1");
  CHECK(value["results"][0]["n"] == 1.5);
  CHECK(parse_json_input(nested_arrays(kMaxJsonDepth)).is_array());
}

TEST_CASE("a document nested deeper than the limit is refused while parsing, arrays and objects alike") {
  CHECK(error_of(nested_arrays(kMaxJsonDepth + 1)) == "nested deeper than 32 levels");
  CHECK(error_of(nested_arrays(60'000)) == "nested deeper than 32 levels");  // the crash of docs/security.md
  std::string objects;
  for (int i = 0; i < 4; ++i) objects += R"({"a":)";
  objects += "1" + std::string(4, '}');
  CHECK(error_of(objects, 3) == "nested deeper than 3 levels");
  CHECK(parse_json_input(objects, 4)["a"]["a"]["a"]["a"] == 1);
}

TEST_CASE("invalid JSON says where, without the library's bracketed prefix") {
  const std::string message = error_of(R"({"a": })");
  CHECK(message.starts_with("not valid JSON: "));
  CHECK(message.find("[json.exception") == std::string::npos);
  CHECK(message.find("column") != std::string::npos);
  CHECK(error_of("").starts_with("not valid JSON"));
  CHECK(error_of("{} trailing").starts_with("not valid JSON"));
}
