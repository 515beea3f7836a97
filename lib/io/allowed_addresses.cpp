#include "allowed_addresses.hpp"

#include <algorithm>

namespace netprobe {

bool address_allowed(const boost::asio::ip::address& address, const Allowlist& allowed) {
  if (address.is_v6() && address.to_v6().scope_id() != 0) return false;  // a zone is a second reading
  const auto v6 = address.is_v4() ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4())
                                  : address.to_v6();
  return allowed.allows_address(v6.to_bytes());
}

std::string keep_allowed(HostAddresses& host, const std::string& name, const Allowlist& allowed) {
  if (host.addresses.empty()) return "";
  std::string refused;
  std::erase_if(host.addresses, [&](const boost::asio::ip::address& address) {
    if (address_allowed(address, allowed)) return false;
    if (refused.empty()) refused = address.to_string();
    return true;
  });
  if (!host.addresses.empty()) return "";
  const std::string subject = refused == name ? refused : name + " resolves to " + refused;
  return subject + ", outside the ad hoc allowlist (adhoc.allow_cidrs)";
}

}  // namespace netprobe
