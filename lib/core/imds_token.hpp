#pragma once
// The IMDSv2 session token, as the metadata server's PUT reply carries it. The
// token goes back into a request header, so the reply is outside input that
// must not smuggle anything into that header.
#include <optional>
#include <string>
#include <string_view>

namespace netprobe {

// The token with trailing line breaks and blanks cut off; nullopt when empty or
// holding anything but visible ASCII (a line break inside could add headers).
std::optional<std::string> read_imds_token(std::string_view body);

}  // namespace netprobe
