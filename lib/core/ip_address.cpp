#include "ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace netprobe {

std::optional<IpAddress> parse_ip(std::string_view text) {
  const std::string host(text);
  IpAddress address{};
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, host.c_str(), v4.data()) == 1) {
    address[10] = 0xff;
    address[11] = 0xff;
    std::copy(v4.begin(), v4.end(), address.begin() + 12);
    return address;
  }
  if (inet_pton(AF_INET6, host.c_str(), address.data()) == 1) return address;
  return std::nullopt;
}

bool is_ipv4(const IpAddress& address) {
  static constexpr IpAddress kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
  return std::equal(address.begin(), address.begin() + 12, kMappedPrefix.begin());
}

std::string format_ip(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  const bool v4 = is_ipv4(address);
  inet_ntop(v4 ? AF_INET : AF_INET6, address.data() + (v4 ? 12 : 0), text, sizeof text);
  return text;
}

bool Cidr::contains(const IpAddress& other) const {
  int bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : 0xff << (8 - bits));
    if ((address[i] & mask) != (other[i] & mask)) return false;
  }
  return true;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  const auto address = parse_ip(host);
  if (!address) return std::nullopt;
  const bool v4 = host.find(':') == std::string_view::npos;
  int prefix = v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (error != std::errc{} || end != digits.data() + digits.size() || digits.empty() || prefix < 0 ||
        prefix > (v4 ? 32 : 128)) {
      return std::nullopt;
    }
  }
  Cidr cidr;
  cidr.address = *address;
  cidr.prefix = v4 ? prefix + 96 : prefix;
  cidr.text = std::string(text);
  return cidr;
}

}  // namespace netprobe
