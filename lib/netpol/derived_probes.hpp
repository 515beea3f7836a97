#pragma once
// Expect-deny probes derived from the live policies: a policy that exists is not
// a policy enforced (some CNIs ignore NetworkPolicy silently), and a selector
// typo (`app: paymnet`) leaves the pods it was written for open. So, from the
// agents' own pod:
//  - for each namespace whose pods the model says are ingress-isolated from the
//    agents, a few of those pods, each on a TCP port one of its containers
//    declares (never another: this is not a scanner), chosen stably (by name);
//  - for a policy whose podSelector matches nothing but has a near correction
//    (app: paymnet -> app: payment, as lint's hint says), the pods the corrected
//    policy would isolate from the agents.
// An agent that connects to one shows the policy is not doing its job there.
// Pods on the host network, without an IP, or isolated by the agents' own egress
// are never chosen. Pure.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "partitioned.hpp"

namespace netprobe::netpol {

struct DerivedDenyProbe {
  std::string ns;   // the destination pod's
  std::string pod;
  IpAddress ip{};
  std::uint16_t port = 0;  // TCP, declared by one of its containers
  std::string policy;      // "ns/name": the policy meant to deny it
  bool corrected = false;  // the policy selects nothing; its corrected selector would select this pod
  std::string reason;      // why it is probed, for /api/v1/discovery
  // What a connection means, for the failing entry and the alert, where the
  // live model alone cannot say it (a selector that matches nothing isolates
  // nothing, so the model admits the path the policy was written to close).
  std::string if_connected;

  bool operator==(const DerivedDenyProbe&) const = default;
};

struct DeriveOptions {
  std::size_t per_namespace = 2;  // isolated pods probed per namespace
  std::size_t max = 200;          // in all; corrected-typo probes come first

  bool operator==(const DeriveOptions&) const = default;
};

// `agent` is one of the agents' pods (they share their labels and namespace).
std::vector<DerivedDenyProbe> derive_deny_probes(const PartitionedCluster& cluster, const Pod& agent,
                                                 const DeriveOptions& options = {});

}  // namespace netprobe::netpol
