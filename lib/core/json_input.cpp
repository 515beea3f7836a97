#include "json_input.hpp"

namespace netprobe {
namespace {

using nlohmann::json;

// nlohmann's own DOM builder, with a depth count in front of it: returning
// false from a SAX event stops the parser at once.
class DepthLimitedBuilder {
 public:
  DepthLimitedBuilder(json& result, std::size_t max_depth) : builder_(result, false), max_depth_(max_depth) {}

  bool null() { return builder_.null(); }
  bool boolean(bool value) { return builder_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return builder_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return builder_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    return builder_.number_float(value, text);
  }
  bool string(json::string_t& value) { return builder_.string(value); }
  bool binary(json::binary_t& value) { return builder_.binary(value); }
  bool key(json::string_t& value) { return builder_.key(value); }
  bool start_object(std::size_t elements) { return enter() && builder_.start_object(elements); }
  bool end_object() {
    --depth_;
    return builder_.end_object();
  }
  bool start_array(std::size_t elements) { return enter() && builder_.start_array(elements); }
  bool end_array() {
    --depth_;
    return builder_.end_array();
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& error) {
    syntax_error_ = error.what();
    return builder_.parse_error(position, token, error);
  }

  bool too_deep() const { return too_deep_; }
  const std::string& syntax_error() const { return syntax_error_; }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> builder_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  std::string syntax_error_;
};

// "[json.exception.parse_error.101] parse error at line 1, column 3: …" without
// the library's bracketed prefix, which says nothing to a user.
std::string without_prefix(const std::string& message) {
  const auto end = message.find("] ");
  return end == std::string::npos ? message : message.substr(end + 2);
}

}  // namespace

json parse_json_input(std::string_view text, std::size_t max_depth) {
  json result;
  DepthLimitedBuilder builder(result, max_depth);
  const bool parsed = json::sax_parse(text, &builder);
  if (builder.too_deep()) {
    throw JsonInputError("nested deeper than " + std::to_string(max_depth) + " levels");
  }
  if (!parsed) {
    throw JsonInputError("not valid JSON: " +
                         (builder.syntax_error().empty() ? std::string("unexpected input") : without_prefix(builder.syntax_error())));
  }
  return result;
}

}  // namespace netprobe
