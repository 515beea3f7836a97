#include "allowlist.hpp"

#include "endpoint.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace netprobe {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!out.empty() && out.back() == '.') out.pop_back();  // "a.cluster.local." is "a.cluster.local"
  return out;
}

}  // namespace

std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text) {
  const std::string host(text);
  std::array<std::uint8_t, 16> address{};
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

bool Cidr::contains(const std::array<std::uint8_t, 16>& other) const {
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

Allowlist::Allowlist(std::vector<Cidr> cidrs, std::vector<std::string> suffixes) : cidrs_(std::move(cidrs)) {
  for (const std::string& suffix : suffixes) suffixes_.push_back(lower(suffix));
}

bool Allowlist::allows_address(const std::array<std::uint8_t, 16>& address) const {
  return std::any_of(cidrs_.begin(), cidrs_.end(), [&](const Cidr& cidr) { return cidr.contains(address); });
}

bool Allowlist::allows_host(std::string_view host) const {
  if (host.find('%') != std::string_view::npos) return false;
  if (const auto address = parse_ip(host)) return allows_address(*address);
  if (!plausible_host_name(host)) return false;
  const std::string name = lower(host);
  if (name.empty()) return false;
  return std::any_of(suffixes_.begin(), suffixes_.end(), [&](const std::string& suffix) {
    const std::string bare = suffix.starts_with('.') ? suffix.substr(1) : suffix;
    if (bare.empty()) return false;
    return name == bare || (name.size() > bare.size() && name.ends_with(bare) && name[name.size() - bare.size() - 1] == '.');
  });
}

}  // namespace netprobe
