// Policy attribution of a report's failing results: the targets, transports,
// outcomes and addresses come from any pod holding the agent token, and are
// resolved against a small fixed cluster. Whatever they are, every result gets
// one attribution, with a reason, and a denial names its side and its policies.
#include <stdexcept>

#include "core/report.hpp"
#include "fuzz_target.hpp"
#include "netpol/attribution.hpp"
#include "netpol/read.hpp"

namespace {

using namespace netprobe;

// Model data only: nothing connects anywhere.  # not-a-destination
constexpr const char* kCluster = R"(
apiVersion: v1
kind: Pod
metadata: {name: agent-a, namespace: monitoring, labels: {app: agent}}
spec: {nodeName: node-a}
status: {podIP: 127.0.1.10}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: coredns-1, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {nodeName: node-a, hostNetwork: false, containers: [{name: c, ports: [{containerPort: 53, protocol: UDP, name: dns}]}]}
status: {podIP: 127.0.1.53}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: host-agent, namespace: monitoring}
spec: {nodeName: node-h, hostNetwork: true}
status: {podIP: 127.0.9.1}  # not-a-destination
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lockdown, namespace: monitoring}
spec: {podSelector: {}, policyTypes: [Egress, Ingress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [127.0.0.254/32, 169.254.169.254/32]}}]}]}  # not-a-destination
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: kube-system}
spec: {podSelector: {matchLabels: {k8s-app: kube-dns}}, ingress: [{ports: [{port: dns, protocol: UDP}]}]}
)";

struct Fixture {
  const netpol::PartitionedCluster cluster = netpol::partition(netpol::read_manifests(kCluster, "fuzz-cluster.yaml"));
  std::vector<netpol::ServiceBackends> services{netpol::ServiceBackends{
      "kube-system", "kube-dns", {*parse_ip("127.0.96.10")}, {{53, netpol::Protocol::udp, "dns"}}, {"coredns-1"}}};
  netpol::CheckOptions options;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture fixture;
  AgentReport report;
  try {
    report = parse_report(fuzz::as_text(data, size));
  } catch (const FieldError& error) {
    fuzz::require_message(error);
    return 0;
  }
  const netpol::PathAttributor attributor(fixture.cluster, fixture.services, fixture.options);
  std::optional<IpAddress> ip;
  if (const auto endpoint = parse_endpoint(report.address)) ip = parse_ip(endpoint->host);
  for (const ProbeResult& result : report.results) {
    const std::vector<netpol::FailingSource> sources{
        netpol::FailingSource{report.node, report.ns, ip, result.outcome},
        netpol::FailingSource{"node-h", "monitoring", std::nullopt, result.outcome}};
    const auto got = attributor.explain(
        netpol::ProbedPath{result.type, result.target, result.transport, result.expect}, sources);
    if (got.size() != sources.size()) throw std::logic_error("an attribution per source");
    for (const PolicyAttribution& attribution : got) {
      if (attribution.reason.empty()) throw std::logic_error("an attribution without a reason");
      const bool denied = attribution.verdict == PolicyVerdict::denied;
      if (denied != attribution.direction.has_value()) throw std::logic_error("a direction exactly when denied");
      if (denied && attribution.policies.empty()) throw std::logic_error("a denial that names no policy");
    }
  }
  return 0;
}
