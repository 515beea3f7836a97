// Reading manifests into the NetworkPolicy model. Field names and validation
// follow the networking.k8s.io/v1 API reference
// (kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/):
// what the API server would reject is rejected here with file:line: field.
#include "netpol/read.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "netpol/finding_json.hpp"
#include "core/json_text.hpp"
#include "netpol/checks.hpp"
#include "unit/corrupt.hpp"

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

std::string testdata(const std::string& name) {
  std::ifstream file(std::string(NETPROBE_TESTDATA) + "/netpol/" + name);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string error_of(const std::string& text) {
  try {
    read_manifests(text, "policy.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

// A policy document whose spec is `spec` (indented two spaces), starting on line 1.
std::string policy(const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: ns}\nspec:\n" + spec;
}

const Pod* find(const Cluster& cluster, const std::string& ns, const std::string& name) {
  for (const Pod& pod : cluster.pods) {
    if (pod.ns == ns && pod.name == name) return &pod;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("multi-document manifests: namespaces, workloads as representative pods, policies") {
  const Cluster cluster = read_manifests(testdata("workloads.yaml"), "workloads.yaml");

  REQUIRE(cluster.namespaces.size() == 1);
  CHECK(cluster.namespaces[0].name == "payments");
  CHECK(cluster.namespaces[0].labels == Labels{{"team", "payments"}});

  REQUIRE(cluster.pods.size() == 5);  // Deployment, StatefulSet, DaemonSet, CronJob, Job; the Service is skipped
  const Pod* payment = find(cluster, "payments", "payment");
  REQUIRE(payment != nullptr);
  CHECK(payment->workload == "payment");
  CHECK(payment->workload_kind == "Deployment");
  CHECK(payment->labels == Labels{{"app", "payment"}, {"tier", "back"}});
  CHECK_FALSE(payment->ip);
  REQUIRE(payment->ports.size() == 2);
  CHECK(payment->ports[0].name == "http");
  CHECK(payment->ports[0].port == 8080);
  CHECK(payment->ports[0].protocol == Protocol::tcp);
  CHECK(payment->where.file == "workloads.yaml");
  CHECK(payment->where.line == 9);

  CHECK(find(cluster, "payments", "ledger-db")->ports[0].port == 5432);
  CHECK(find(cluster, "monitoring", "netprobe-agent")->workload_kind == "DaemonSet");
  CHECK(find(cluster, "payments", "nightly-report")->labels == Labels{{"app", "report"}});
  const Pod* job = find(cluster, "default", "migrate");  // no namespace: default
  REQUIRE(job != nullptr);
  CHECK(job->ports[0].protocol == Protocol::udp);

  REQUIRE(cluster.policies.size() == 1);
  const NetworkPolicy& ingress = cluster.policies[0];
  CHECK(ingress.id() == "payments/payment-ingress");
  CHECK(ingress.affects_ingress);
  CHECK_FALSE(ingress.affects_egress);
  CHECK(ingress.pod_selector.match_labels == Labels{{"app", "payment"}});
  REQUIRE(ingress.ingress.size() == 1);
  const PolicyRule& rule = ingress.ingress[0];
  REQUIRE(rule.peers.size() == 2);
  CHECK(rule.peers[0].namespace_selector);  // both selectors in one peer: AND
  CHECK(rule.peers[0].pod_selector->match_expressions[0].values == std::vector<std::string>{"prometheus", "netprobe-agent"});
  CHECK_FALSE(rule.peers[1].pod_selector);
  REQUIRE(rule.peers[1].ip_block);
  CHECK(rule.peers[1].ip_block->contains(*parse_ip("10.1.2.3")));   // # not-a-destination
  CHECK_FALSE(rule.peers[1].ip_block->contains(*parse_ip("10.0.5.9")));  // # not-a-destination: excepted
  REQUIRE(rule.ports.size() == 2);
  CHECK(rule.ports[0].named_port == "metrics");
  CHECK_FALSE(rule.ports[0].port);
  CHECK(rule.ports[1].port == std::uint16_t{8000});
  CHECK(rule.ports[1].end_port == std::uint16_t{8080});

  REQUIRE(cluster.ignored.size() == 1);  // the Calico policy is recorded, not evaluated
  CHECK(cluster.ignored[0].kind == "GlobalNetworkPolicy");
  CHECK(cluster.ignored[0].name == "deny-metadata");
}

TEST_CASE("kubectl get -o json lists: pods keep their IP and owning Deployment") {
  const Cluster cluster = read_manifests(testdata("kubectl-list.json"), "dump.json");
  REQUIRE(cluster.pods.size() == 1);
  const Pod& pod = cluster.pods[0];
  CHECK(pod.ns == "frontend");
  CHECK(pod.name == "web-5d8f7c9b4-x2x7q");
  CHECK(pod.workload == "web");  // ReplicaSet web-5d8f7c9b4 minus the pod-template-hash
  CHECK(pod.workload_kind == "Deployment");
  CHECK(pod.ip == parse_ip("192.0.2.17"));  // documentation range (RFC 5737): data only
  CHECK(pod.ports[0].name == "http");

  REQUIRE(cluster.policies.size() == 1);
  CHECK(cluster.policies[0].affects_ingress);
  CHECK(cluster.policies[0].affects_egress);
  CHECK(cluster.policies[0].pod_selector.empty());
}

TEST_CASE("policy defaults and absent vs empty fields") {
  SUBCASE("no policyTypes: Ingress, plus Egress only when egress rules exist") {
    const Cluster ingress_only = read_manifests(policy("  podSelector: {}\n  egress: []\n"), "p.yaml");
    CHECK(ingress_only.policies[0].affects_ingress);
    CHECK_FALSE(ingress_only.policies[0].affects_egress);
    const Cluster both = read_manifests(policy("  podSelector: {}\n  egress: [{}]\n"), "p.yaml");
    CHECK(both.policies[0].affects_egress);
  }
  SUBCASE("a null peer selector is absent; an empty one matches everything") {
    const Cluster cluster = read_manifests(
        policy("  podSelector:\n  ingress:\n  - from:\n    - {podSelector: {}, namespaceSelector: null}\n"), "p.yaml");
    const PolicyPeer& peer = cluster.policies[0].ingress[0].peers[0];
    CHECK(peer.pod_selector);
    CHECK(peer.pod_selector->empty());
    CHECK_FALSE(peer.namespace_selector);
    CHECK(cluster.policies[0].pod_selector.empty());  // `podSelector:` (null) selects the whole namespace
  }
  SUBCASE("an empty rule admits everything; absent from/ports stay empty") {
    const Cluster cluster = read_manifests(policy("  podSelector: {}\n  ingress: [{}]\n"), "p.yaml");
    REQUIRE(cluster.policies[0].ingress.size() == 1);
    CHECK(cluster.policies[0].ingress[0].peers.empty());
    CHECK(cluster.policies[0].ingress[0].ports.empty());
  }
  SUBCASE("applying the same policy twice keeps the last") {
    const Cluster cluster =
        read_manifests(policy("  podSelector: {}\n") + "---\n" + policy("  podSelector: {matchLabels: {a: b}}\n"), "p.yaml");
    REQUIRE(cluster.policies.size() == 1);
    CHECK(cluster.policies[0].pod_selector.match_labels == Labels{{"a", "b"}});
  }
  SUBCASE("empty documents are skipped") { CHECK(read_manifests("---\n---\n", "p.yaml").pods.empty()); }
}

TEST_CASE("invalid policies name the file, the line and the field") {
  CHECK(error_of(policy("  podSelector: {matchLabels: {app: [1]}}\n")) ==
        "policy.yaml:5: spec.podSelector.matchLabels.app: expected a string, found a list");
  CHECK(error_of(policy("  podSelector: {}\n  ingres: []\n")) ==
        "policy.yaml:6: spec.ingres: unknown key (expected one of podSelector, policyTypes, ingress, egress)");
  CHECK(error_of(policy("  podSelector: {matchLabels: {version: 1}}\n")) ==
        "policy.yaml:5: spec.podSelector.matchLabels.version: expected a string, found a number (quote it: \"1\")");
  CHECK(error_of(policy("  podSelector: {matchLabels: {enabled: true}}\n")) ==
        "policy.yaml:5: spec.podSelector.matchLabels.enabled: expected a string, found a boolean (quote it: \"true\")");
  CHECK(error_of(policy("  podSelector: {matchLabels: {version: \"1\"}}\n")) == "(accepted)");
  CHECK(error_of(policy("  podSelector: {}\n  policyTypes: [ingress]\n")) ==
        "policy.yaml:6: spec.policyTypes[0]: unknown policy type \"ingress\" (expected Ingress, Egress)");
  CHECK(error_of(policy("  podSelector: {matchExpressions: [{key: app, operator: in, values: [a]}]}\n")) ==
        "policy.yaml:5: spec.podSelector.matchExpressions[0].operator: unknown operator \"in\" (expected In, NotIn, "
        "Exists, DoesNotExist)");
  CHECK(error_of(policy("  podSelector: {matchExpressions: [{key: app, operator: In}]}\n")) ==
        "policy.yaml:5: spec.podSelector.matchExpressions[0]: operator In needs a non-empty values list");
  CHECK(error_of(policy("  podSelector: {matchExpressions: [{key: app, operator: Exists, values: [a]}]}\n")) ==
        "policy.yaml:5: spec.podSelector.matchExpressions[0].values: must be empty for operator Exists");
  CHECK(error_of(policy("  podSelector: {}\n  ingress:\n  - from:\n    - {}\n")) ==
        "policy.yaml:8: spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock");
  CHECK(error_of(policy("  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n")) ==  // # not-a-destination
        "policy.yaml:8: spec.egress[0].to[0]: ipBlock cannot be combined with podSelector or namespaceSelector");
  CHECK(error_of(policy("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/33}}]}]\n")) ==  // # not-a-destination
        "policy.yaml:6: spec.egress[0].to[0].ipBlock.cidr: invalid CIDR \"10.0.0.0/33\" (expected e.g. 10.0.0.0/8 or "  // # not-a-destination
        "fd00::/8)");
  CHECK(error_of(policy("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]\n")) ==  // # not-a-destination
        "policy.yaml:6: spec.egress[0].to[0].ipBlock.except[0]: \"192.168.0.0/16\" is not inside cidr 10.0.0.0/8");  // # not-a-destination
  CHECK(error_of(policy("  podSelector: {}\n  ingress: [{ports: [{port: 80, protocol: tcp}]}]\n")) ==
        "policy.yaml:6: spec.ingress[0].ports[0].protocol: unknown protocol \"tcp\" (expected TCP, UDP, SCTP)");
  CHECK(error_of(policy("  podSelector: {}\n  ingress: [{ports: [{port: 70000}]}]\n")) ==
        "policy.yaml:6: spec.ingress[0].ports[0].port: 70000 is out of range (expected 1 to 65535)");
  CHECK(error_of(policy("  podSelector: {}\n  ingress: [{ports: [{port: \"80\"}]}]\n")) ==
        "policy.yaml:6: spec.ingress[0].ports[0].port: invalid port name \"80\" (a number, or a container port name: up "
        "to 15 of a-z, 0-9, '-', with a letter)");
  CHECK(error_of(policy("  podSelector: {}\n  ingress: [{ports: [{port: http, endPort: 90}]}]\n")) ==
        "policy.yaml:6: spec.ingress[0].ports[0].endPort: needs a numeric port");
  CHECK(error_of(policy("  podSelector: {}\n  ingress: [{ports: [{port: 90, endPort: 80}]}]\n")) ==
        "policy.yaml:6: spec.ingress[0].ports[0].endPort: must not be less than port 90");
  CHECK(error_of(policy("  podSelector: {}\n  ingress: [{from: [], port: []}]\n")) ==
        "policy.yaml:6: spec.ingress[0].port: unknown key (expected one of from, ports)");
}

TEST_CASE("invalid documents and objects") {
  CHECK(error_of("kind: [\n") .starts_with("policy.yaml:2: invalid YAML: "));
  CHECK(error_of("- a\n- b\n") == "policy.yaml:1: expected a Kubernetes object (a mapping with kind)");
  CHECK(error_of("apiVersion: v1\nmetadata: {name: x}\n") == "policy.yaml:1: kind: is required");
  CHECK(error_of("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: {}\n") ==
        "policy.yaml:1: metadata: is required");
  CHECK(error_of("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: "
                 "[{name: c, ports: [{containerPort: web}]}]}}\n") ==
        "policy.yaml:4: items[0].spec.containers[0].ports[0].containerPort: expected a whole number, found \"web\"");
  CHECK(error_of("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {podIP: 10.0.0.300}\n") ==  // # not-a-destination
        "policy.yaml:4: status.podIP: invalid IP address \"10.0.0.300\"");  // # not-a-destination
}

TEST_CASE("streams on which yaml-cpp 0.7's LoadAll never returns are refused, not looped on") {
  // jbeder/yaml-cpp#1319: the parser reports empty documents for ever without
  // consuming input (the second input was found by tests/fuzz/manifests_fuzz).
  CHECK(error_of(",\n") == "policy.yaml:1: invalid YAML: the parser cannot get past this point (malformed document)");
  CHECK(error_of(testdata("loadall-hang.json")) ==
        "policy.yaml:3: invalid YAML: the parser cannot get past this point (malformed document)");
  // Empty documents are fine where each one moves on.
  CHECK(read_manifests("---\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", "policy.yaml")
            .namespaces.size() == 1);
}

TEST_CASE("corrupted manifests are refused with a ConfigError; whatever is read, the checks run") {
  int refused = 0;
  for (const std::string& text : testing::corruptions(testdata("workloads.yaml"), 1500)) {
    try {
      const Cluster cluster = read_manifests(text, "workloads.yaml");
      // Findings quote label values: whatever bytes they hold, their JSON must print.
      CHECK_FALSE(json_text(to_json(run_checks(cluster))).empty());
    } catch (const ConfigError&) {
      ++refused;
    } catch (const std::exception& error) {
      FAIL_CHECK("manifests\n" << text << "\nthrew " << error.what());
    }
  }
  CHECK(refused > 300);
}
