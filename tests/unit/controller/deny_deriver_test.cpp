// The derived-deny probes the controller hands out: from a reporting agent's
// own pod, derived again only when what they come from changes, and none
// while that cannot be done.
#include "controller/deny_deriver.hpp"

#include <doctest/doctest.h>

#include "netpol/partitioned.hpp"
#include "netpol/read.hpp"

using namespace netprobe;

namespace {

// Model data: nothing connects to these addresses.  # not-a-destination
constexpr const char* kCluster = R"(
apiVersion: v1
kind: Pod
metadata: {name: netprobe-agent-a, namespace: monitoring, labels: {app: netprobe-agent},
           ownerReferences: [{kind: DaemonSet, name: netprobe-agent, controller: true}]}
spec: {nodeName: node-a}
status: {podIP: 127.0.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: netprobe-agent-b, namespace: monitoring, labels: {app: netprobe-agent},
           ownerReferences: [{kind: DaemonSet, name: netprobe-agent, controller: true}]}
spec: {nodeName: node-b}
status: {podIP: 127.0.1.11}
---
apiVersion: v1
kind: Pod
metadata: {name: payment-0, namespace: payments, labels: {app: payment}}
spec: {nodeName: node-b, containers: [{name: api, ports: [{containerPort: 8080}]}]}
status: {podIP: 127.0.2.30}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: payment-ingress, namespace: payments}
spec:
  podSelector: {matchLabels: {app: paymnet}}
  ingress: [{from: [{podSelector: {matchLabels: {app: payment}}}]}]
)";

PathModel model_of(const std::string& manifests) {
  return PathModel{std::make_shared<const netpol::PartitionedCluster>(
                       netpol::partition(netpol::read_manifests(manifests, "cluster.yaml"))),
                   std::make_shared<const std::vector<netpol::ServiceBackends>>(), nullptr};
}

AgentView agent(const std::string& node, const std::string& advertised, AgentState state = AgentState::reporting) {
  AgentView view;
  view.node = node;
  view.ns = "monitoring";
  view.advertised = advertised;
  view.state = state;
  return view;
}

const auto kNothingElse = std::make_shared<const std::vector<kube::DiscoveredProbe>>();

}  // namespace

TEST_CASE("from the first reporting agent whose pod is known; the typo's probe, with why") {
  const PathModel model = model_of(kCluster);
  DenyDeriver deriver;
  deriver.update(model, kNothingElse, {agent("node-z", "127.0.9.9:9743"), agent("node-a", "127.0.1.10:9743")}, {});
  REQUIRE(deriver.probes());
  CHECK(deriver.derived_from() == "monitoring/netprobe-agent-a");
  REQUIRE(deriver.probes()->size() == 1);
  const netpol::DerivedDenyProbe& probe = deriver.probes()->front();
  CHECK(probe.pod == "payment-0");
  CHECK(probe.port == 8080);
  CHECK(probe.policy == "payments/payment-ingress");
  CHECK(probe.corrected);
}

TEST_CASE("derived again only when the model, the other probes or the settings change, or its agent goes") {
  PathModel model = model_of(kCluster);
  const std::vector<AgentView> agents{agent("node-a", "127.0.1.10:9743")};
  DenyDeriver deriver;
  deriver.update(model, kNothingElse, agents, {});
  const DenyDeriver::Probes first = deriver.probes();
  for (int second = 0; second < 5; ++second) deriver.update(model, kNothingElse, agents, {});  // housekeeping ticks
  CHECK(deriver.derivations() == 1);
  CHECK(deriver.probes() == first);

  deriver.update(model, kNothingElse, {agents[0], agent("node-b", "127.0.1.11:9743")}, {});  // another joins
  CHECK(deriver.derivations() == 1);
  deriver.update(model, kNothingElse, {agent("node-b", "127.0.1.11:9743")}, {});  // the first one goes
  CHECK(deriver.derived_from() == "monitoring/netprobe-agent-b");
  CHECK(deriver.derivations() == 1);  // a pod of the same namespace, labels and workload: the same probes
  CHECK(deriver.probes() == first);
  deriver.update(model, kNothingElse, agents, {});

  model = model_of(kCluster);  // a new snapshot with the same objects: derived again, the same vector kept
  deriver.update(model, kNothingElse, agents, {});
  CHECK(deriver.derivations() == 2);
  CHECK(deriver.probes() == first);

  kube::DiscoverySettings one;
  one.max_derived = 0;
  deriver.update(model, kNothingElse, agents, one);
  CHECK(deriver.derivations() == 3);
  REQUIRE(deriver.probes());
  CHECK(deriver.probes()->empty());
}

TEST_CASE("none: turned off, still listing, no agent's pod known, or only stale agents") {
  const PathModel model = model_of(kCluster);
  const std::vector<AgentView> agents{agent("node-a", "127.0.1.10:9743")};
  DenyDeriver deriver;
  kube::DiscoverySettings off;
  off.derived_deny = false;
  deriver.update(model, kNothingElse, agents, off);
  CHECK_FALSE(deriver.probes());
  deriver.update(PathModel{}, kNothingElse, agents, {});
  CHECK_FALSE(deriver.probes());
  deriver.update(model, nullptr, agents, {});  // discovery has not run yet
  CHECK_FALSE(deriver.probes());
  deriver.update(model, kNothingElse, {agent("node-z", "127.0.9.9:9743")}, {});
  CHECK_FALSE(deriver.probes());
  CHECK(deriver.derived_from().empty());
  deriver.update(model, kNothingElse, {agent("node-a", "127.0.1.10:9743", AgentState::stale)}, {});
  CHECK_FALSE(deriver.probes());
}

TEST_CASE("a scrape target is never also a derived-deny target") {
  const PathModel model = model_of(kCluster);
  ProbeSpec scrape;
  scrape.name = "scrape";
  scrape.params = TcpSpec{Endpoint{"127.0.2.30", 8080}};
  const auto scraped = std::make_shared<const std::vector<kube::DiscoveredProbe>>(std::vector<kube::DiscoveredProbe>{
      {std::make_shared<const ProbeSpec>(scrape), "Pod payments/payment-0", false, "payments/payment-0:8080", ""}});
  DenyDeriver deriver;
  deriver.update(model, scraped, {agent("node-a", "127.0.1.10:9743")}, {});
  REQUIRE(deriver.probes());
  CHECK(deriver.probes()->empty());
}
