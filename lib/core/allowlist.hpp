#pragma once
// Which targets ad hoc probes may reach: CIDRs and DNS suffixes. Everything
// else is refused, so the controller's API is not an in-cluster port scanner.
// Checked twice, as SSRF filters do: the host a request names (allows_host),
// and then every address actually connected to (allows_address), because a
// name under an allowed suffix may resolve anywhere. See docs/security.md.
#include <string>
#include <string_view>
#include <vector>

#include "ip_address.hpp"

namespace netprobe {

class Allowlist {
 public:
  Allowlist() = default;
  Allowlist(std::vector<Cidr> cidrs, std::vector<std::string> suffixes);

  // An IP literal must fall in a CIDR; a name must end in a suffix (".cluster.local"
  // matches "a.cluster.local" and "cluster.local", never "evilcluster.local").
  // Anything the checker and the connector could read differently is refused
  // outright: IPv6 zone ids ("::ffff:127.0.0.2%x.cluster.local" is a name here
  // and an address to Asio), and whatever is neither a literal nor a plausible name.
  bool allows_host(std::string_view host) const;
  // An address about to be connected to (IPv4 as IPv4-mapped IPv6) must fall in a CIDR.
  bool allows_address(const IpAddress& address) const;

  const std::vector<Cidr>& cidrs() const { return cidrs_; }
  const std::vector<std::string>& suffixes() const { return suffixes_; }

 private:
  std::vector<Cidr> cidrs_;
  std::vector<std::string> suffixes_;
};

}  // namespace netprobe
