#include "endpoint.hpp"

#include <charconv>

namespace netprobe {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || text.empty() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string Endpoint::to_string() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text,
                                       std::optional<std::uint16_t> default_port) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else if (text.find(':') != text.rfind(':')) {
    host = text;  // bare IPv6 literal: only valid with a default port
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return std::nullopt;
  } else {
    host = text;
  }
  if (host.empty()) return std::nullopt;
  if (port.empty()) {
    if (!default_port) return std::nullopt;
    return Endpoint{std::string(host), *default_port};
  }
  const auto number = parse_port(port);
  if (!number) return std::nullopt;
  return Endpoint{std::string(host), *number};
}

std::optional<Endpoint> parse_listen_address(std::string_view text) {
  const bool any_interface = text.starts_with(':');
  const std::string full = any_interface ? "[::]" + std::string(text) : std::string(text);
  // Parse with port 0 swapped for 1 so parse_endpoint's checks apply unchanged.
  const bool zero = full.ends_with(":0");
  auto endpoint = parse_endpoint(zero ? full.substr(0, full.size() - 1) + "1" : full);
  if (!endpoint) return std::nullopt;
  if (zero) endpoint->port = 0;
  return endpoint;
}

}  // namespace netprobe
