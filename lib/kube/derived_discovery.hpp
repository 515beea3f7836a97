#pragma once
// The expect-deny probes derived from the live policies (netpol/derived_probes.hpp)
// as discovered probes: `derived-deny`, a TCP connect to the pod's IP on the port
// it declares, which must not connect, every `derived_interval`, from
// `scrape_agents` agents chosen as a scrape target's are (so one pod is knocked
// on by a few agents, not by every node). Pure.
#include <string>
#include <string_view>
#include <vector>

#include "kube/discovery.hpp"
#include "netpol/derived_probes.hpp"

namespace netprobe::kube {

inline constexpr std::string_view kDerivedDenyProbe = "derived-deny";

// The probe's target as its results name it: "10.0.2.30:8080", "[fd00::1]:8080".
std::string derived_target(const netpol::DerivedDenyProbe& probe);

// Those of `derived` no probe of `discovered` expects to reach: a scrape target
// is never also expected to be denied on the same port (the scrape probe reports
// that path; a scrape path blocked, mistake 3, is its to tell).
std::vector<netpol::DerivedDenyProbe> not_expected_open(std::vector<netpol::DerivedDenyProbe> derived,
                                                        const std::vector<DiscoveredProbe>& discovered);

// Nothing when `derived_deny` is off.
std::vector<DiscoveredProbe> derived_deny_discovery(const std::vector<netpol::DerivedDenyProbe>& derived,
                                                    const DiscoverySettings& settings);

}  // namespace netprobe::kube
