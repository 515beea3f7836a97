#include "allowlist.hpp"

#include "endpoint.hpp"

#include <algorithm>
#include <cctype>

namespace netprobe {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!out.empty() && out.back() == '.') out.pop_back();  // "a.cluster.local." is "a.cluster.local"
  return out;
}

}  // namespace

Allowlist::Allowlist(std::vector<Cidr> cidrs, std::vector<std::string> suffixes) : cidrs_(std::move(cidrs)) {
  for (const std::string& suffix : suffixes) suffixes_.push_back(lower(suffix));
}

bool Allowlist::allows_address(const IpAddress& address) const {
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
