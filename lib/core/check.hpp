#pragma once
// A probe expands into checks: one per (target, transport). Each check is
// scheduled, run and reported on its own, so one slow DNS server never holds
// back the others.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "allowlist.hpp"
#include "check_key.hpp"
#include "probe_spec.hpp"

namespace netprobe {

struct Check {
  std::shared_ptr<const ProbeSpec> probe;
  std::string target;     // label value: "10.96.0.10:53", "host:443", a URL
  std::string transport;  // label value: "udp", "tcp", "http", "https"
  // dns only: the server and transport this check queries
  Endpoint dns_server;
  DnsTransport dns_transport = DnsTransport::udp;
  // One-shot probes only: every address connected to must be inside it (the
  // names were checked on the request; what they resolve to is checked here).
  std::shared_ptr<const Allowlist> allowed_addresses;
};

inline CheckKey key_of(const Check& check) { return CheckKey{check.probe->name, check.target, check.transport}; }

// `system_nameservers` replaces the `auto` entry of a dns probe (the
// nameservers of /etc/resolv.conf, read by the caller).
std::vector<Check> expand_checks(const std::shared_ptr<const ProbeSpec>& probe,
                                 std::span<const Endpoint> system_nameservers);

}  // namespace netprobe
