#pragma once
// The parts of an http(s) URL a prober needs, parsed by Boost.URL.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netprobe {

struct HttpUrl {
  bool tls = false;
  std::string host;          // without brackets for IPv6
  std::uint16_t port = 80;   // the scheme's default when the URL has none
  std::string target = "/";  // path and query, as sent in the request line
  std::string host_header;   // "host" or "host:port" as the Host header wants it
};

struct UrlError {
  std::string message;
};

// Accepts absolute http:// and https:// URLs with a host; anything else is an error.
std::optional<HttpUrl> parse_http_url(std::string_view text, UrlError* error = nullptr);

}  // namespace netprobe
