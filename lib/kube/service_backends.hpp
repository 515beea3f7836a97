#pragma once
// The watched Services as policy attribution resolves them (netpol/attribution):
// their ClusterIPs, their ports with the targetPort each maps to, and the pods
// of their ready EndpointSlice endpoints. Pure.
#include <vector>

#include "kube/discovery.hpp"
#include "netpol/attribution.hpp"

namespace netprobe::kube {

// Sorted by namespace and name. Endpoints that are not ready, terminating or
// have no Pod behind them are left out; addresses that are not IPs are skipped.
std::vector<netpol::ServiceBackends> service_backends(const DiscoveryInput& input);

}  // namespace netprobe::kube
