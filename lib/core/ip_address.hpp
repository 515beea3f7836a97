#pragma once
// IP addresses and CIDR blocks in one 128-bit form, IPv4 as IPv4-mapped IPv6
// (::ffff:a.b.c.d), so one comparison serves both families. Used by the ad hoc
// allowlist, the addresses a probe may connect to, and NetworkPolicy ipBlocks.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netprobe {

using IpAddress = std::array<std::uint8_t, 16>;

// An IPv4 or IPv6 literal ("10.0.0.1", "fd00::1"), or nullopt for anything
// else, host names included. IPv6 zone ids ("fe80::1%eth0") are not literals.
std::optional<IpAddress> parse_ip(std::string_view text);

// Whether the address is IPv4 (in ::ffff:0:0/96).
bool is_ipv4(const IpAddress& address);

// The address as a literal again: "10.0.0.1" for IPv4, "fd00::1" otherwise.
std::string format_ip(const IpAddress& address);

struct Cidr {
  IpAddress address{};
  int prefix = 0;  // over the 128-bit form: an IPv4 /8 is 104 here
  std::string text;  // as written, for messages

  bool contains(const IpAddress& other) const;
  bool operator==(const Cidr&) const = default;
};

// "10.0.0.0/8", "fd00::/8", "169.254.169.254/32", or a bare address (a /32 or /128).
std::optional<Cidr> parse_cidr(std::string_view text);

}  // namespace netprobe
