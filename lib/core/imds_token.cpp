#include "imds_token.hpp"

#include <algorithm>

namespace netprobe {

std::optional<std::string> read_imds_token(std::string_view body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.remove_suffix(1);
  const bool visible = std::all_of(body.begin(), body.end(), [](char c) { return c > ' ' && c < '\x7f'; });
  if (body.empty() || !visible) return std::nullopt;
  return std::string(body);
}

}  // namespace netprobe
