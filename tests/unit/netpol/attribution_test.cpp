// Attribution: which policy denies a failing path, that none does, or why the
// model cannot tell. The cluster is written as manifests (the four mistakes of a
// weekend's NetworkPolicy rollout, README "Why is it failing?"), read by
// netpol/read as `netprobe lint` reads them, then held by namespace as the live
// store holds it.
#include "netpol/attribution.hpp"

#include <doctest/doctest.h>

#include "netpol/read.hpp"

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

// Addresses here are model data: nothing connects to them.  # not-a-destination
constexpr const char* kCluster = R"(
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {team: sre}}
---
apiVersion: v1
kind: Pod
metadata: {name: netprobe-agent-a, namespace: monitoring, labels: {app: netprobe-agent},
           ownerReferences: [{kind: DaemonSet, name: netprobe-agent, controller: true}]}
spec: {nodeName: node-a}
status: {podIP: 10.0.1.10}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: netprobe-agent-b, namespace: monitoring, labels: {app: netprobe-agent},
           ownerReferences: [{kind: DaemonSet, name: netprobe-agent, controller: true}]}
spec: {nodeName: node-b}
status: {podIP: 10.0.2.10}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: prometheus-0, namespace: monitoring, labels: {app: prometheus}}
spec: {nodeName: node-b}
status: {podIP: 10.0.2.11}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: coredns-1, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {nodeName: node-a, containers: [{name: coredns, ports: [{containerPort: 53, protocol: UDP, name: dns}]}]}
status: {podIP: 10.0.1.53}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: coredns-2, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {nodeName: node-b, containers: [{name: coredns, ports: [{containerPort: 53, protocol: UDP, name: dns}]}]}
status: {podIP: 10.0.2.53}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: storefront-7d9f-x1, namespace: shop, labels: {app: storefront, pod-template-hash: 7d9f},
           ownerReferences: [{kind: ReplicaSet, name: storefront-7d9f, controller: true}]}
spec: {nodeName: node-a, containers: [{name: web, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: 10.0.1.20}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: netprobe-sentinel, namespace: shop, labels: {app: netprobe-sentinel}}
spec: {nodeName: node-a}
status: {podIP: 10.0.1.21}  # not-a-destination
---
apiVersion: v1
kind: Pod
metadata: {name: payment-0, namespace: payments, labels: {app: payment}}
spec: {nodeName: node-b, containers: [{name: api, ports: [{containerPort: 8080, name: metrics}]}]}
status: {podIP: 10.0.2.30}  # not-a-destination
---
# 1. A default-deny that forgot DNS egress.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lockdown, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
---
# 3. Ingress of payments from nowhere: Prometheus (and the agents) cannot scrape it.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: payments}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
# 2. A typo: meant to isolate app: payment, it selects nothing.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: payment-ingress, namespace: payments}
spec:
  podSelector: {matchLabels: {app: paymnet}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: payments}}}]}]
---
# 4. Egress anywhere but the metadata endpoint.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent-egress, namespace: monitoring}
spec:
  podSelector: {matchLabels: {app: netprobe-agent}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]  # not-a-destination
)";

PartitionedCluster cluster_with(const std::string& more = "") {
  return partition(read_manifests(std::string(kCluster) + more, "cluster.yaml"));
}

IpAddress ip(const char* text) { return *parse_ip(text); }

ProbedPath probed(ProbeType type, std::string target, std::string transport, Expect expect = Expect::allow) {
  return ProbedPath{type, std::move(target), std::move(transport), expect};
}

const std::vector<ServiceBackends> kServices{
    ServiceBackends{"kube-system", "kube-dns", {ip("10.96.0.10")},  // # not-a-destination
                    {{53, Protocol::udp, "dns"}, {53, Protocol::tcp, "53"}}, {"coredns-1", "coredns-2"}},
    ServiceBackends{"shop", "storefront", {ip("10.96.0.20")}, {{80, Protocol::tcp, "http"}}, {"storefront-7d9f-x1"}},  // # not-a-destination
    ServiceBackends{"shop", "empty", {ip("10.96.0.21")}, {{80, Protocol::tcp, ""}}, {}},  // # not-a-destination
};

FailingSource agent_a(Outcome outcome = Outcome::timeout) { return {"node-a", "monitoring", ip("10.0.1.10"), outcome}; }  // # not-a-destination
FailingSource sentinel(Outcome outcome = Outcome::timeout) { return {"node-a", "shop", ip("10.0.1.21"), outcome}; }  // # not-a-destination

PolicyAttribution explain_one(const PartitionedCluster& cluster, const ProbedPath& path, const FailingSource& source,
                              const CheckOptions& options = {}) {
  const PathAttributor attributor(cluster, kServices, options);
  const auto out = attributor.explain(path, {source});
  REQUIRE(out.size() == 1);
  return out.front();
}

}  // namespace

TEST_CASE("a default-deny that forgot DNS: the sentinel's egress, named with the policy") {
  const PartitionedCluster cluster = cluster_with();
  const PolicyAttribution got = explain_one(cluster, probed(ProbeType::dns, "10.96.0.10:53", "udp"), sentinel());  // # not-a-destination
  CHECK(got.verdict == PolicyVerdict::denied);
  CHECK(got.direction == PolicyDirection::egress);
  CHECK(got.policies == std::vector<std::string>{"shop/lockdown"});
  CHECK(got.reason == "egress of shop/netprobe-sentinel is isolated by shop/lockdown; "
                      "no egress rule admits kube-system/kube-dns on 53/UDP");
  // The same server from an agent whose egress admits it: allowed, not a policy.
  const PolicyAttribution agent = explain_one(cluster, probed(ProbeType::dns, "10.96.0.10:53", "udp"), agent_a());  // # not-a-destination
  CHECK(agent.verdict == PolicyVerdict::allowed);
  CHECK(agent.policies == std::vector<std::string>{"monitoring/agent-egress"});
  CHECK(agent.reason == "no NetworkPolicy blocks monitoring/netprobe-agent → kube-system/kube-dns on 53/UDP (egress "
                        "admitted by monitoring/agent-egress, ingress not isolated): look at the CNI, the node, DNS or the app");
}

TEST_CASE("no ingress from monitoring: the scrape path is denied on the destination's side") {
  const PolicyAttribution got = explain_one(cluster_with(), probed(ProbeType::tcp, "10.0.2.30:8080", "tcp"), agent_a());  // # not-a-destination
  CHECK(got.verdict == PolicyVerdict::denied);
  CHECK(got.direction == PolicyDirection::ingress);
  CHECK(got.policies == std::vector<std::string>{"payments/default-deny"});
  CHECK(got.reason == "ingress of payments/payment-0 is isolated by payments/default-deny; "
                      "no ingress rule admits monitoring/netprobe-agent on 8080/TCP");
}

TEST_CASE("an egress except that blocks the metadata endpoint: the ipBlock rule decides") {
  const PolicyAttribution got = explain_one(cluster_with(), probed(ProbeType::metadata, "169.254.169.254:80", "http"), agent_a());  // # not-a-destination
  CHECK(got.verdict == PolicyVerdict::denied);
  CHECK(got.direction == PolicyDirection::egress);
  CHECK(got.policies == std::vector<std::string>{"monitoring/agent-egress"});
  CHECK(got.reason == "egress of monitoring/netprobe-agent is isolated by monitoring/agent-egress; "
                      "no egress rule admits the metadata endpoint 169.254.169.254 on 80/TCP");  // # not-a-destination
  // token_timeout is never a policy, whatever the model says.
  const PolicyAttribution hop = explain_one(cluster_with(), probed(ProbeType::metadata, "169.254.169.254:80", "http"),  // # not-a-destination
                                            agent_a(Outcome::token_timeout));
  CHECK(hop.verdict == PolicyVerdict::allowed);
  CHECK(hop.reason.starts_with("not a policy: "));
  CHECK(hop.reason.find("IMDSv2") != std::string::npos);
}

TEST_CASE("the typo: a deny probe that gets through, and the policies that admit it") {
  const ProbedPath deny = probed(ProbeType::tcp, "10.0.2.30:8080", "tcp", Expect::deny);  // # not-a-destination
  // Without the default-deny, payment is isolated by nothing: the typo leaves it open.
  PartitionedCluster cluster = cluster_with();
  auto payments = std::make_shared<NamespaceObjects>(*cluster.objects.at("payments"));
  payments->policies.erase("default-deny");
  cluster.objects["payments"] = payments;
  const PolicyAttribution open = explain_one(cluster, deny, agent_a(Outcome::ok));
  CHECK(open.verdict == PolicyVerdict::allowed);
  CHECK(open.reason == "nothing is meant to block it: no NetworkPolicy blocks monitoring/netprobe-agent → "
                       "payments/payment-0 on 8080/TCP (egress admitted by monitoring/agent-egress, ingress not isolated)");
  // With it, a connection means the policy is not enforced: a CNI that ignores policies.
  const PolicyAttribution ignored = explain_one(cluster_with(), deny, agent_a(Outcome::ok));
  CHECK(ignored.verdict == PolicyVerdict::denied);
  CHECK(ignored.policies == std::vector<std::string>{"payments/default-deny"});
  CHECK(ignored.reason.ends_with("yet it got through (ok): the policy is not enforced on this path "
                                 "(does the CNI enforce NetworkPolicy?)"));
}

TEST_CASE("a failure no policy explains is allowed, and says where to look") {
  const PolicyAttribution got = explain_one(cluster_with(), probed(ProbeType::tcp, "10.0.1.20:8080", "tcp"), agent_a(Outcome::refused));  // # not-a-destination
  CHECK(got.verdict == PolicyVerdict::allowed);
  CHECK(got.direction == std::nullopt);
  CHECK(got.reason.ends_with("look at the CNI, the node, DNS or the app"));
  // An answer proves the path open: no evaluation needed.
  const PolicyAttribution answered = explain_one(cluster_with(), probed(ProbeType::dns, "10.96.0.10:53", "udp"), sentinel(Outcome::nxdomain));  // # not-a-destination
  CHECK(answered.verdict == PolicyVerdict::allowed);
  CHECK(answered.reason.starts_with("not a policy: an answer came back (nxdomain)"));
}

TEST_CASE("a Service by name: its port is mapped to the pod's named port") {
  const std::string allow_monitoring = R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-monitoring, namespace: shop}
spec:
  podSelector: {matchLabels: {app: storefront}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: sre}}}], ports: [{port: 8080}]}]
)";
  const PartitionedCluster cluster = cluster_with(allow_monitoring);
  for (const char* target : {"http://storefront.shop.svc.cluster.local/", "http://storefront.shop.svc./",
                             "http://storefront.shop/", "http://10.96.0.20/"}) {  // # not-a-destination
    CAPTURE(target);
    const PolicyAttribution got = explain_one(cluster, probed(ProbeType::http, target, "http"), agent_a());
    CHECK(got.verdict == PolicyVerdict::allowed);
    CHECK(got.policies == std::vector<std::string>{"monitoring/agent-egress", "shop/allow-monitoring"});
    CHECK(got.reason.find("shop/storefront on 8080/TCP") != std::string::npos);  // the pod's port, not the Service's
  }
  // Port 9090 of the pod is not admitted; the Service has no such port, though.
  const PolicyAttribution no_port = explain_one(cluster, probed(ProbeType::tcp, "10.96.0.20:9090", "tcp"), agent_a());  // # not-a-destination
  CHECK(no_port.verdict == PolicyVerdict::unknown);
  CHECK(no_port.reason == "Service shop/storefront has no port 9090/TCP");
}

TEST_CASE("both sides denied, and a Service whose pods differ") {
  const std::string deny_dns = R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: coredns-2-only-local, namespace: kube-system}
spec:
  podSelector: {matchExpressions: [{key: k8s-app, operator: In, values: [kube-dns]}]}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {}}]}]
)";
  const PartitionedCluster cluster = cluster_with(deny_dns);
  const PolicyAttribution both = explain_one(cluster, probed(ProbeType::dns, "10.96.0.10:53", "udp"), sentinel());  // # not-a-destination
  CHECK(both.verdict == PolicyVerdict::denied);
  CHECK(both.direction == PolicyDirection::both);
  CHECK(both.policies == std::vector<std::string>{"shop/lockdown", "kube-system/coredns-2-only-local"});
  CHECK(both.reason.find("; and ingress of kube-system/coredns-1 is isolated by kube-system/coredns-2-only-local") !=
        std::string::npos);

  // Only one of the two CoreDNS pods isolated: denied, to 1 of the 2.
  PartitionedCluster one_isolated = cluster_with(R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lock-coredns-2, namespace: kube-system}
spec:
  podSelector: {matchLabels: {k8s-app: kube-dns}}
  policyTypes: [Ingress]
)");
  auto kube_system = std::make_shared<NamespaceObjects>(*one_isolated.objects.at("kube-system"));
  kube_system->pods.at("coredns-1").labels["k8s-app"] = "kube-dns-old";
  one_isolated.objects["kube-system"] = kube_system;
  const PolicyAttribution partial = explain_one(one_isolated, probed(ProbeType::dns, "10.96.0.10:53", "udp"), agent_a());  // # not-a-destination
  CHECK(partial.verdict == PolicyVerdict::denied);
  CHECK(partial.direction == PolicyDirection::ingress);
  CHECK(partial.reason.starts_with("to 1 of the 2 pods behind kube-system/kube-dns: ingress of kube-system/coredns-2"));
}

TEST_CASE("unknown, with the reason: names, empty Services, host network, agents not found") {
  PartitionedCluster cluster = cluster_with();
  const PolicyAttribution name = explain_one(cluster, probed(ProbeType::tcp, "example.com:443", "tcp"), agent_a());
  CHECK(name.verdict == PolicyVerdict::unknown);
  CHECK(name.reason == "\"example.com\" is a name, not a Service of the cluster: where it leads is not known here");
  const PolicyAttribution empty = explain_one(cluster, probed(ProbeType::tcp, "10.96.0.21:80", "tcp"), agent_a());  // # not-a-destination
  CHECK(empty.verdict == PolicyVerdict::unknown);
  CHECK(empty.reason.starts_with("no ready pod is behind Service shop/empty"));
  const PolicyAttribution resolve = explain_one(cluster, probed(ProbeType::http, "http://shop.example/", "http"),
                                                agent_a(Outcome::resolve_error));
  CHECK(resolve.verdict == PolicyVerdict::unknown);

  // The agent by its node when it advertises no address; two pods there are ambiguous.
  FailingSource no_address = agent_a();
  no_address.ip.reset();
  CHECK(explain_one(cluster, probed(ProbeType::tcp, "10.0.2.30:8080", "tcp"), no_address).verdict == PolicyVerdict::denied);  // # not-a-destination
  FailingSource on_b{"node-b", "monitoring", std::nullopt, Outcome::timeout};
  const PolicyAttribution ambiguous = explain_one(cluster, probed(ProbeType::tcp, "10.0.2.30:8080", "tcp"), on_b);  // # not-a-destination
  CHECK(ambiguous.verdict == PolicyVerdict::unknown);
  CHECK(ambiguous.reason == "namespace monitoring has 2 pods on node node-b and the agent's address names none of them");
  FailingSource stranger{"node-z", "monitoring", ip("10.9.9.9"), Outcome::timeout};  // # not-a-destination
  CHECK(explain_one(cluster, probed(ProbeType::tcp, "10.0.2.30:8080", "tcp"), stranger).reason ==  // # not-a-destination
        "the agent on node node-z is not among the watched pods of namespace monitoring");

  // Host network, on either end.
  auto monitoring = std::make_shared<NamespaceObjects>(*cluster.objects.at("monitoring"));
  monitoring->pods.at("netprobe-agent-a").host_network = true;
  auto payments = std::make_shared<NamespaceObjects>(*cluster.objects.at("payments"));
  payments->pods.at("payment-0").host_network = true;
  cluster.objects["monitoring"] = monitoring;
  cluster.objects["payments"] = payments;
  const PolicyAttribution host_agent = explain_one(cluster, probed(ProbeType::tcp, "10.0.1.20:8080", "tcp"), agent_a());  // # not-a-destination
  CHECK(host_agent.verdict == PolicyVerdict::unknown);
  CHECK(host_agent.reason.find("runs on the host network") != std::string::npos);
  FailingSource agent_b{"node-b", "monitoring", ip("10.0.2.10"), Outcome::timeout};  // # not-a-destination
  const PolicyAttribution host_destination = explain_one(cluster, probed(ProbeType::tcp, "10.0.2.30:8080", "tcp"), agent_b);  // # not-a-destination
  CHECK(host_destination.verdict == PolicyVerdict::unknown);
  CHECK(host_destination.reason == "pod payments/payment-0 runs on the host network, where the NetworkPolicy spec "
                                   "leaves policies' effect to the CNI");
}

TEST_CASE("many sources at once: each its own verdict, in order") {
  const PartitionedCluster cluster = cluster_with();
  const PathAttributor attributor(cluster, kServices, CheckOptions{});
  const std::vector<PolicyAttribution> got = attributor.explain(
      probed(ProbeType::dns, "10.96.0.10:53", "udp"),  // # not-a-destination
      {sentinel(), agent_a(), FailingSource{"node-b", "monitoring", ip("10.0.2.10"), Outcome::timeout}, sentinel(Outcome::servfail)});  // # not-a-destination
  REQUIRE(got.size() == 4);
  CHECK(got[0].verdict == PolicyVerdict::denied);
  CHECK(got[1].verdict == PolicyVerdict::allowed);
  CHECK(got[2].verdict == PolicyVerdict::allowed);
  CHECK(got[3].verdict == PolicyVerdict::allowed);
  CHECK(got[3].reason.starts_with("not a policy: an answer came back (servfail)"));
}

TEST_CASE("the agent's own pod, found as a source is (derived probes start from it)") {
  const PartitionedCluster cluster = cluster_with();
  const PathAttributor attributor(cluster, kServices, CheckOptions{});
  const Pod* by_address = attributor.agent_pod(agent_a());
  REQUIRE(by_address != nullptr);
  CHECK(by_address->name == "netprobe-agent-a");
  FailingSource no_address = agent_a();
  no_address.ip.reset();
  REQUIRE(attributor.agent_pod(no_address) != nullptr);
  CHECK(attributor.agent_pod(no_address)->name == "netprobe-agent-a");  // the only pod of monitoring on node-a
  CHECK(attributor.agent_pod(FailingSource{"node-b", "monitoring", std::nullopt, Outcome::ok}) == nullptr);  // two there
  CHECK(attributor.agent_pod(FailingSource{"node-z", "monitoring", ip("10.9.9.9"), Outcome::ok}) == nullptr);  // # not-a-destination
}

TEST_CASE("one connection's verdict in a sentence (lint --explain)") {
  ConnectionVerdict denied;
  denied.allowed = false;
  denied.egress = DirectionVerdict{true, false, {}, {"shop/default-deny", "shop/allow-dns"}};
  denied.ingress = DirectionVerdict{true, false, {}, {"pay/ingress"}};
  const PolicyAttribution both = attribute_connection("shop/web", "pay/api", "pay/api-0", denied, 8080, Protocol::tcp, false);
  CHECK(both.verdict == PolicyVerdict::denied);
  CHECK(both.direction == PolicyDirection::both);
  CHECK(both.reason ==
        "egress of shop/web is isolated by shop/default-deny, shop/allow-dns; no egress rule admits pay/api on 8080/TCP; "
        "and ingress of pay/api-0 is isolated by pay/ingress; no ingress rule admits shop/web on 8080/TCP");

  ConnectionVerdict open;
  open.egress = DirectionVerdict{true, true, {"shop/web-egress"}, {"shop/web-egress"}};
  const PolicyAttribution outside = attribute_connection("shop/web", "192.0.2.1", "192.0.2.1", open, 53, Protocol::udp, true);  // not-a-destination
  CHECK(outside.verdict == PolicyVerdict::allowed);
  CHECK(outside.reason == "no NetworkPolicy blocks shop/web → 192.0.2.1 on 53/UDP (egress admitted by shop/web-egress)");  // not-a-destination
  CHECK(attribute_connection("shop/web", "pay/api", "pay/api-0", open, 53, Protocol::udp, false).reason ==
        "no NetworkPolicy blocks shop/web → pay/api on 53/UDP (egress admitted by shop/web-egress, ingress not isolated)");
}
