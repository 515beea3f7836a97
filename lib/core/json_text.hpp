#pragma once
// JSON text for the outside world. Strings that came from outside (a manifest, a
// DNS answer, a server's reason phrase, a request path) may hold invalid UTF-8,
// on which nlohmann's dump() throws (type_error 316): here such bytes become
// U+FFFD instead, as in the log lines.
#include <string>

#include <nlohmann/json.hpp>

namespace netprobe {

template <typename Json>
std::string json_text(const Json& value, int indent = -1) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace netprobe
