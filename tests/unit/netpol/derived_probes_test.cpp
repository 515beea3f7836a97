// Expect-deny probes derived from the live policies: which pods, which ports, why.
#include "netpol/derived_probes.hpp"

#include <doctest/doctest.h>

#include "netpol/read.hpp"

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

// Model data only: nothing connects to these.  # not-a-destination
std::string pod(const std::string& ns, const std::string& name, const std::string& app, const std::string& ip,
                const std::string& ports = "[{containerPort: 8080}, {containerPort: 53, protocol: UDP}]",
                bool host_network = false) {
  return "---\napiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns + ", labels: {app: " + app +
         "}}\nspec: {nodeName: node-a, hostNetwork: " + (host_network ? "true" : "false") +
         ", containers: [{name: c, ports: " + ports + "}]}\n" + (ip.empty() ? "" : "status: {podIP: " + ip + "}\n");
}

std::string policy(const std::string& ns, const std::string& name, const std::string& spec) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec: " + spec + "\n";
}

const std::string kAgent = pod("monitoring", "agent-a", "netprobe-agent", "10.0.1.10", "[{containerPort: 9743}]");  // # not-a-destination

PartitionedCluster cluster_of(const std::string& manifests) { return partition(read_manifests(manifests, "cluster.yaml")); }

std::vector<DerivedDenyProbe> derive(const PartitionedCluster& cluster, const DeriveOptions& options = {}) {
  return derive_deny_probes(cluster, cluster.objects.at("monitoring")->pods.at("agent-a"), options);
}

const char* kDenyIngress = "{podSelector: {}, policyTypes: [Ingress]}";

}  // namespace

TEST_CASE("isolated pods: a few per namespace, by name, on a declared TCP port") {
  const PartitionedCluster cluster = cluster_of(
      kAgent + pod("payments", "payment-c", "payment", "10.0.2.3") + pod("payments", "payment-a", "payment", "10.0.2.1") +  // # not-a-destination
      pod("payments", "payment-b", "payment", "10.0.2.2") + policy("payments", "default-deny", kDenyIngress));  // # not-a-destination
  const std::vector<DerivedDenyProbe> got = derive(cluster);
  REQUIRE(got.size() == 2);
  CHECK(got[0].pod == "payment-a");
  CHECK(got[1].pod == "payment-b");
  CHECK(got[0].ip == *parse_ip("10.0.2.1"));  // # not-a-destination
  CHECK(got[0].port == 8080);                 // the TCP one, never the UDP 53 it also declares
  CHECK(got[0].policy == "payments/default-deny");
  CHECK_FALSE(got[0].corrected);
  CHECK(got[0].reason ==
        "payments/default-deny isolates payments/payment-a from monitoring/agent-a: no ingress rule admits it on 8080/TCP");
  CHECK(got[0].if_connected ==
        "payments/default-deny isolates payments/payment-a from monitoring/agent-a, yet monitoring reaches it on 8080/TCP: "
        "the policy is not enforced there (does the CNI enforce NetworkPolicy?)");
  CHECK(derive(cluster, DeriveOptions{1, 200}).size() == 1);
  CHECK(derive(cluster, DeriveOptions{2, 1}).size() == 1);  // max in all
}

TEST_CASE("the typo: the pods the corrected policy would isolate, first") {
  const PartitionedCluster cluster = cluster_of(
      kAgent + pod("payments", "payment-0", "payment", "10.0.2.30") + pod("payments", "ledger-0", "ledger", "10.0.2.31") +  // # not-a-destination
      policy("payments", "payment-ingress",
             "{podSelector: {matchLabels: {app: paymnet}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: frontend}}}]}]}") +
      pod("shop", "web-0", "web", "10.0.3.1") + policy("shop", "deny", kDenyIngress));  // # not-a-destination
  const std::vector<DerivedDenyProbe> got = derive(cluster);
  REQUIRE(got.size() == 2);
  CHECK(got[0].pod == "payment-0");  // only the pod the corrected selector picks
  CHECK(got[0].corrected);
  CHECK(got[0].policy == "payments/payment-ingress");
  CHECK(got[0].reason == "payments/payment-ingress is meant to isolate payments/payment-0 (its podSelector app: paymnet "
                         "matches nothing; app: payment would): monitoring/agent-a must not reach it on 8080/TCP");
  CHECK(got[0].if_connected == "payments/payment-ingress is meant to isolate payments/payment-0 (its podSelector app: "
                               "paymnet matches nothing; app: payment would), and monitoring reaches it on 8080/TCP now");
  CHECK(got[1].pod == "web-0");  // then the namespaces isolated as written
  CHECK_FALSE(got[1].corrected);
}

TEST_CASE("never: an admitted pod, undeclared ports, the host network, no IP, the agents' own namespace") {
  const std::string admit_monitoring =
      "{podSelector: {matchLabels: {app: open}}, ingress: [{from: [{namespaceSelector: {}}]}]}";
  const PartitionedCluster cluster = cluster_of(
      kAgent + pod("monitoring", "prometheus-0", "prometheus", "10.0.1.11") + policy("monitoring", "deny", kDenyIngress) +  // # not-a-destination
      pod("apps", "open-0", "open", "10.0.4.1") + policy("apps", "deny", kDenyIngress) +  // # not-a-destination
      policy("apps", "admit", admit_monitoring) +
      pod("apps", "udp-only", "dns", "10.0.4.2", "[{containerPort: 53, protocol: UDP}]") +  // # not-a-destination
      pod("apps", "host", "host", "10.0.4.3", "[{containerPort: 8080}]", true) +  // # not-a-destination
      pod("apps", "pending", "pending", ""));
  CHECK(derive(cluster).empty());
}

TEST_CASE("an agent whose own egress is isolated tests nothing of the other side") {
  const PartitionedCluster cluster = cluster_of(
      kAgent + policy("monitoring", "lockdown", "{podSelector: {}, policyTypes: [Egress]}") +
      pod("payments", "payment-0", "payment", "10.0.2.30") + policy("payments", "deny", kDenyIngress));  // # not-a-destination
  CHECK(derive(cluster).empty());
}
