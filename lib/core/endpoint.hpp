#pragma once
// "host:port" as written in configs and on the command line. IPv6 literals
// take brackets ("[::1]:53"); a bare IPv6 address has no port.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ip_address.hpp"

namespace netprobe {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  // "127.0.0.1:53", "[::1]:53", "kube-dns.kube-system.svc:53"
  std::string to_string() const;
  bool operator==(const Endpoint&) const = default;
};

// Whether `name` can be a DNS name or an IPv4 address: letters, digits, '-' and
// '_' in labels of 1 to 63 characters, 253 in all, with an optional final dot.
// Anything else (spaces, control bytes, non-ASCII) can be no one's address, and
// would end up in metric labels and JSON as it was written.
bool plausible_host_name(std::string_view name);

// Whether `host` can be a host name, an IPv4 or an IPv6 literal (without brackets).
bool plausible_host(std::string_view host);

// Reads "host:port"; with default_port set, a bare host (or bare IPv6 literal) is accepted.
// nullopt on a host that cannot be one (see plausible_host), a bad or out-of-range port,
// or unbalanced brackets.
std::optional<Endpoint> parse_endpoint(std::string_view text,
                                       std::optional<std::uint16_t> default_port = std::nullopt);

// The IP of an "ip:port" (as an agent advertises its own); nullopt for a host
// name or anything that is no endpoint.
std::optional<IpAddress> endpoint_ip(std::string_view text);

// A listen address: ":9743" (every interface, host "::"), "127.0.0.1:9743", "[::1]:0".
// Port 0 asks the kernel for a free port.
std::optional<Endpoint> parse_listen_address(std::string_view text);

}  // namespace netprobe
