// The live store: API objects (as JSON, items without kind) read by the
// manifest reader into the model, trimmed, and skipped when unreadable.
#include "kube/live_cluster.hpp"

#include <doctest/doctest.h>

#include "netpol/checks.hpp"

using namespace netprobe;
using namespace netprobe::kube;
using nlohmann::json;

namespace {

json policy_json(const std::string& ns, const std::string& name, const json& spec) {
  return json{{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", "1"}, {"uid", "u"},
                            {"managedFields", json::array({json{{"manager", "kubectl"}}})}}},
              {"spec", spec}};
}

const json kDefaultDenyEgress = json::parse(R"({"podSelector": {}, "policyTypes": ["Egress"]})");

json pod_json(const std::string& ns, const std::string& name, const std::string& ip) {
  return json::parse(R"({"metadata": {"namespace": ")" + ns + R"(", "name": ")" + name + R"(",
      "labels": {"app": "web", "pod-template-hash": "5d8f9"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f9", "controller": true, "uid": "x"}],
      "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9100",
                      "kubectl.kubernetes.io/last-applied-configuration": "{\"huge\": true}"}},
    "spec": {"serviceAccountName": "web", "nodeName": "node-1",
             "containers": [{"name": "app", "image": "x", "env": [{"name": "A", "value": "b"}],
                             "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]}]},
    "status": {"phase": "Running", "podIP": ")" + ip + R"(", "containerStatuses": [{"name": "app", "ready": true}]}})");
}

}  // namespace

TEST_CASE("live objects are read into the model as manifests are, trimmed to what is read") {
  LiveCluster live;
  CHECK_FALSE(live.sink(Resource::pods).upsert(ObjectKey{"shop", "web-5d8f9-abcde"}, pod_json("shop", "web-5d8f9-abcde", "127.0.0.7")));
  CHECK_FALSE(live.sink(Resource::networkpolicies)
            .upsert(ObjectKey{"shop", "lockdown"},
                    policy_json("shop", "lockdown",
                                json::parse(R"({"podSelector": {"matchLabels": {"app": "web"}},
                                                "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}]})"))));
  CHECK_FALSE(live.sink(Resource::namespaces).upsert(ObjectKey{"", "shop"}, json::parse(R"({"metadata": {"name": "shop", "labels": {"team": "a"}}})")));
  CHECK_FALSE(live.sink(Resource::serviceaccounts)
            .upsert(ObjectKey{"shop", "web"},
                    json::parse(R"({"metadata": {"namespace": "shop", "name": "web", "annotations": {"eks.amazonaws.com/role-arn": "arn"}}})")));

  const netpol::Cluster cluster = netpol::flatten(*live.snapshot());
  REQUIRE(cluster.pods.size() == 1);
  const netpol::Pod& pod = cluster.pods[0];
  CHECK(pod.workload == "web");
  CHECK(pod.workload_kind == "Deployment");
  CHECK(pod.ip == parse_ip("127.0.0.7"));
  CHECK(pod.service_account == "web");
  REQUIRE(pod.ports.size() == 1);
  CHECK(pod.ports[0].port == 8080);
  CHECK(pod.annotations == netpol::Labels{{"prometheus.io/port", "9100"}, {"prometheus.io/scrape", "true"}});
  CHECK(pod.where.file == "pods/shop/web-5d8f9-abcde");

  REQUIRE(cluster.policies.size() == 1);
  const netpol::NetworkPolicy& policy = cluster.policies[0];
  CHECK(policy.id() == "shop/lockdown");
  CHECK(policy.affects_ingress);
  REQUIRE(policy.ingress.size() == 1);
  CHECK(policy.ingress[0].ports[0].port == 8080);  // a JSON number is a port number, not a port name
  CHECK(policy.where.file == "networkpolicies/shop/lockdown");
  REQUIRE(cluster.namespaces.size() == 1);
  CHECK(cluster.namespaces[0].labels == netpol::Labels{{"team", "a"}});
  CHECK(cluster.service_accounts.size() == 1);  // IAM annotations are only kept when asked for
  CHECK(cluster.service_accounts[0].annotations.empty());
}

TEST_CASE("the IAM annotations the checks look for are kept when named") {
  LiveCluster live(KeptAnnotations{{"prometheus.io/"}, {"eks.amazonaws.com/role-arn"}});
  live.sink(Resource::serviceaccounts)
      .upsert(ObjectKey{"shop", "web"},
              json::parse(R"({"metadata": {"namespace": "shop", "name": "web", "annotations": {"eks.amazonaws.com/role-arn": "arn", "other": "x"}}})"));
  CHECK(netpol::flatten(*live.snapshot()).service_accounts[0].annotations == netpol::Labels{{"eks.amazonaws.com/role-arn", "arn"}});
}

TEST_CASE("an unreadable object is refused with the reason, and what was held for it stays") {
  LiveCluster live;
  ObjectSink& policies = live.sink(Resource::networkpolicies);
  REQUIRE_FALSE(policies.upsert(ObjectKey{"frontend", "deny"}, policy_json("frontend", "deny", kDefaultDenyEgress)));
  const std::uint64_t version = live.version();
  const auto refused = policies.upsert(
      ObjectKey{"frontend", "deny"},
      policy_json("frontend", "deny", json::parse(R"({"podSelector": {"matchLabels": {"app": true}}})")));
  CHECK(live.version() == version);
  CHECK(refused ==
        "networkpolicies/frontend/deny: spec.podSelector.matchLabels.app: expected a string, found a boolean (quote it: \"true\")");
  REQUIRE(netpol::flatten(*live.snapshot()).policies.size() == 1);
  CHECK(netpol::flatten(*live.snapshot()).policies[0].affects_egress);  // the earlier version

  CHECK(policies.upsert(ObjectKey{"frontend", "odd"}, policy_json("frontend", "odd", json::parse(R"({"ingres": []})"))));
  CHECK(netpol::flatten(*live.snapshot()).policies.size() == 1);
}

TEST_CASE("removal, versions, and the four analysed resources only") {
  LiveCluster live;
  ObjectSink& policies = live.sink(Resource::networkpolicies);
  policies.upsert(ObjectKey{"a", "p"}, policy_json("a", "p", kDefaultDenyEgress));
  const std::uint64_t after_add = live.version();
  policies.remove(ObjectKey{"a", "p"});
  CHECK(live.version() > after_add);
  CHECK(netpol::flatten(*live.snapshot()).policies.empty());
  const std::uint64_t after_remove = live.version();
  policies.remove(ObjectKey{"a", "never-there"});
  CHECK(live.version() == after_remove);
  CHECK_THROWS_AS(live.sink(Resource::services), std::invalid_argument);
}

TEST_CASE("live policies give the findings the same manifests give") {
  LiveCluster live;
  live.sink(Resource::namespaces).upsert(ObjectKey{"", "frontend"}, json::parse(R"({"metadata": {"name": "frontend"}})"));
  live.sink(Resource::pods).upsert(ObjectKey{"frontend", "web-5d8f9-abcde"}, pod_json("frontend", "web-5d8f9-abcde", "127.0.0.8"));
  live.sink(Resource::networkpolicies).upsert(ObjectKey{"frontend", "deny"}, policy_json("frontend", "deny", kDefaultDenyEgress));
  const auto findings = netpol::run_checks(netpol::flatten(*live.snapshot()));
  CHECK(std::any_of(findings.begin(), findings.end(), [](const netpol::Finding& finding) {
    return finding.check == "dns-egress-blocked" && finding.ns == "frontend" && finding.where.file == "networkpolicies/frontend/deny";
  }));
}

TEST_CASE("a snapshot stays as it was taken, and shares every namespace the changes after it leave alone") {
  LiveCluster live;
  ObjectSink& pods = live.sink(Resource::pods);
  pods.upsert(ObjectKey{"shop", "web-1"}, pod_json("shop", "web-1", "127.0.0.9"));
  pods.upsert(ObjectKey{"dev", "tool-1"}, pod_json("dev", "tool-1", "127.0.0.10"));
  const auto before = live.snapshot();

  pods.upsert(ObjectKey{"shop", "web-2"}, pod_json("shop", "web-2", "127.0.0.11"));
  pods.remove(ObjectKey{"dev", "tool-1"});
  const auto after = live.snapshot();

  CHECK(before->objects.at("shop")->pods.size() == 1);  // the snapshot did not see the change
  CHECK(before->objects.at("dev")->pods.size() == 1);
  CHECK(after->objects.at("shop")->pods.size() == 2);
  CHECK_FALSE(after->objects.count("dev"));  // emptied: gone

  pods.upsert(ObjectKey{"dev", "tool-2"}, pod_json("dev", "tool-2", "127.0.0.12"));
  const auto third = live.snapshot();
  CHECK(third->objects.at("shop") == after->objects.at("shop"));  // untouched: shared, not copied
  CHECK(third->objects.at("dev") != before->objects.at("dev"));
}

TEST_CASE("a workload is kept as the pod its template makes, and goes with its deletion") {
  LiveCluster live;
  ObjectSink& deployments = live.sink(Resource::deployments);
  CHECK_FALSE(deployments.upsert(ObjectKey{"shop", "report"}, json::parse(R"({
    "metadata": {"name": "report", "namespace": "shop", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
    "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "report"}},
             "template": {"metadata": {"labels": {"app": "report"}},
                          "spec": {"serviceAccountName": "reporter",
                                   "containers": [{"name": "r", "image": "x", "ports": [{"containerPort": 9090, "name": "metrics"}]}]}}}})")));
  CHECK_FALSE(live.sink(Resource::cronjobs).upsert(ObjectKey{"shop", "nightly"}, json::parse(R"({
    "metadata": {"name": "nightly", "namespace": "shop"},
    "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "nightly"}},
             "spec": {"containers": [{"name": "n", "image": "x"}], "restartPolicy": "Never"}}}}}})")));
  const netpol::Cluster cluster = netpol::flatten(*live.snapshot());
  REQUIRE(cluster.pods.size() == 2);
  CHECK(cluster.pods[0].workload_kind == "CronJob");
  CHECK(cluster.pods[1].workload == "report");
  CHECK(cluster.pods[1].labels == netpol::Labels{{"app", "report"}});
  CHECK(cluster.pods[1].service_account == "reporter");
  REQUIRE(cluster.pods[1].ports.size() == 1);
  CHECK(cluster.pods[1].ports[0].port == 9090);
  CHECK_FALSE(cluster.pods[1].ip);

  deployments.remove(ObjectKey{"shop", "report"});
  CHECK(netpol::flatten(*live.snapshot()).pods.size() == 1);
}
