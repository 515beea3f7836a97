// A NetworkPolicy's spec read strictly, as the API server validates it
// (networking.k8s.io/v1 API reference): defaults, absent vs empty, and every
// refusal naming file:line: field. Read through read_manifests, as lint reads it.
#include "netpol/read_policy.hpp"

#include <doctest/doctest.h>

#include "netpol/read.hpp"

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

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

}  // namespace

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
