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
