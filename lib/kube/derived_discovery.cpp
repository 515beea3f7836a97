#include "kube/derived_discovery.hpp"

#include <algorithm>
#include <set>

#include "core/ip_address.hpp"
#include "core/url.hpp"

namespace netprobe::kube {

std::string derived_target(const netpol::DerivedDenyProbe& probe) {
  return Endpoint{format_ip(probe.ip), probe.port}.to_string();
}

std::vector<netpol::DerivedDenyProbe> not_expected_open(std::vector<netpol::DerivedDenyProbe> derived,
                                                        const std::vector<DiscoveredProbe>& discovered) {
  std::set<std::string> expected_open;  // "ip:port" of the scrape probes, by TCP connect or GET
  for (const DiscoveredProbe& probe : discovered) {
    if (const auto* tcp = std::get_if<TcpSpec>(&probe.spec->params)) expected_open.insert(tcp->target.to_string());
    if (const auto* http = std::get_if<HttpSpec>(&probe.spec->params)) {
      if (const auto url = parse_http_url(http->url)) expected_open.insert(Endpoint{url->host, url->port}.to_string());
    }
  }
  std::erase_if(derived, [&](const netpol::DerivedDenyProbe& probe) { return expected_open.count(derived_target(probe)) != 0; });
  return derived;
}

std::vector<DiscoveredProbe> derived_deny_discovery(const std::vector<netpol::DerivedDenyProbe>& derived,
                                                    const DiscoverySettings& settings) {
  std::vector<DiscoveredProbe> out;
  if (!settings.derived_deny) return out;
  for (const netpol::DerivedDenyProbe& probe : derived) {
    ProbeSpec spec;
    spec.name = std::string(kDerivedDenyProbe);
    spec.expect = Expect::deny;
    spec.interval = settings.derived_interval;
    spec.timeout = settings.timeout;
    spec.params = TcpSpec{Endpoint{format_ip(probe.ip), probe.port}};
    out.push_back(DiscoveredProbe{std::make_shared<const ProbeSpec>(std::move(spec)), "NetworkPolicy " + probe.policy,
                                  false, "deny " + probe.ns + "/" + probe.pod + ":" + std::to_string(probe.port),
                                  probe.reason});
  }
  return out;
}

}  // namespace netprobe::kube
