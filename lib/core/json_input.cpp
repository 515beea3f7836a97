#include "json_input.hpp"

namespace netprobe {
namespace {

// "[json.exception.parse_error.101] parse error at line 1, column 3: …" without
// the library's bracketed prefix, which says nothing to a user.
std::string without_prefix(const std::string& message) {
  const auto end = message.find("] ");
  return end == std::string::npos ? message : message.substr(end + 2);
}

}  // namespace

void detail::throw_input_error(bool too_deep, const std::string& syntax_error, std::size_t max_depth) {
  if (too_deep) throw JsonInputError("nested deeper than " + std::to_string(max_depth) + " levels");
  throw JsonInputError("not valid JSON: " + (syntax_error.empty() ? std::string("unexpected input") : without_prefix(syntax_error)));
}

nlohmann::json parse_json_input(std::string_view text, std::size_t max_depth) {
  nlohmann::json result;
  // nlohmann's own tree builder, told not to throw: read_json_input words the errors.
  nlohmann::detail::json_sax_dom_parser<nlohmann::json> builder(result, false);
  read_json_input(text, builder, max_depth);
  return result;
}

}  // namespace netprobe
