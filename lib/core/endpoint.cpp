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

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// An IPv6 literal, with an optional zone ("fe80::1%eth0"). The resolver has the
// last word on whether it is a real address; this keeps out what cannot be.
bool plausible_ipv6(std::string_view host) {
  const auto percent = host.find('%');
  const std::string_view address = host.substr(0, percent);
  if (address.find(':') == std::string_view::npos) return false;
  for (char c : address) {
    if (!is_hex(c) && c != ':' && c != '.') return false;
  }
  if (percent == std::string_view::npos) return true;
  const std::string_view zone = host.substr(percent + 1);
  if (zone.empty()) return false;
  for (char c : zone) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

bool plausible_host_name(std::string_view host) {
  if (host.ends_with('.')) host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_alnum(c) || c == '-' || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label > 0;
}

bool plausible_host(std::string_view host) { return plausible_host_name(host) || plausible_ipv6(host); }

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
  if (!plausible_host(host)) return std::nullopt;
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

std::optional<IpAddress> endpoint_ip(std::string_view text) {
  const auto endpoint = parse_endpoint(text);
  return endpoint ? parse_ip(endpoint->host) : std::nullopt;
}

}  // namespace netprobe
