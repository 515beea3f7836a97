#include "kube/service_backends.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace netprobe::kube {

std::vector<netpol::ServiceBackends> service_backends(const DiscoveryInput& input) {
  // A Service's endpoints may be spread over several slices, each naming it.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> pods_of;
  for (const EndpointSliceRecord& slice : input.slices) {
    if (slice.service.empty()) continue;
    std::set<std::string>& pods = pods_of[{slice.ns, slice.service}];
    for (const SliceEndpoint& endpoint : slice.endpoints) {
      if (endpoint.ready && !endpoint.terminating && !endpoint.pod.empty()) pods.insert(endpoint.pod);
    }
  }
  std::vector<netpol::ServiceBackends> out;
  out.reserve(input.services.size());
  for (const ServiceRecord& service : input.services) {
    netpol::ServiceBackends backends;
    backends.ns = service.ns;
    backends.name = service.name;
    for (const std::string& text : service.cluster_ips) {
      if (const auto ip = parse_ip(text)) backends.cluster_ips.push_back(*ip);
    }
    for (const ServicePort& port : service.ports) {
      const auto protocol = netpol::parse_protocol(port.protocol);
      if (!protocol || port.port == 0) continue;
      backends.ports.push_back(netpol::ServiceBackends::Port{port.port, *protocol, port.target_port});
    }
    if (const auto pods = pods_of.find({service.ns, service.name}); pods != pods_of.end()) {
      backends.pods.assign(pods->second.begin(), pods->second.end());
    }
    out.push_back(std::move(backends));
  }
  std::sort(out.begin(), out.end(), [](const netpol::ServiceBackends& a, const netpol::ServiceBackends& b) {
    return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
  });
  return out;
}

}  // namespace netprobe::kube
