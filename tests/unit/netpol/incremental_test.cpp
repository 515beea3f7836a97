// netpol/incremental.hpp: after any sequence of changes, the incremental
// findings equal a whole analysis of the cluster as it is, and a change checks
// only the namespaces it can affect.
#include "netpol/incremental.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "random_cluster.hpp"

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

std::shared_ptr<NamespaceObjects> objects_with(std::initializer_list<Pod> pods,
                                               std::initializer_list<NetworkPolicy> policies = {}) {
  auto objects = std::make_shared<NamespaceObjects>();
  for (const Pod& pod : pods) objects->pods[pod.name] = pod;
  for (const NetworkPolicy& policy : policies) objects->policies[policy.name] = policy;
  return objects;
}

// kube-system (CoreDNS, kube-proxy), monitoring, and 20 application namespaces,
// each with a default deny; team-0's pods are picked by a cross-namespace peer of app-1.
PartitionedCluster small_cluster() {
  PartitionedCluster cluster;
  cluster.objects["kube-system"] = objects_with(
      {testing::pod_named("kube-system", "coredns", {{"k8s-app", "kube-dns"}}),
       testing::pod_named("kube-system", "kube-proxy", {{"k8s-app", "kube-proxy"}})});
  cluster.objects["monitoring"] = objects_with({testing::pod_named("monitoring", "prometheus")});
  for (int i = 0; i < 20; ++i) {
    const std::string ns = "app-" + std::to_string(i);
    cluster.namespaces[ns] = Namespace{ns, {{"team", "team-" + std::to_string(i % 2)}}, {}};
    cluster.objects[ns] = objects_with({testing::pod_named(ns, "web", {{"app", "web"}})}, {testing::deny_all(ns, "deny")});
  }
  NetworkPolicy from_team = testing::deny_all("app-1", "from-team-0");
  PolicyPeer peer;
  peer.namespace_selector = LabelSelector{{{"team", "team-0"}}, {}};
  peer.pod_selector = LabelSelector{{{"app", "web"}}, {}};
  from_team.ingress.push_back(PolicyRule{{peer}, {}});
  auto app1 = std::make_shared<NamespaceObjects>(*cluster.objects["app-1"]);
  app1->policies[from_team.name] = from_team;
  cluster.objects["app-1"] = app1;
  return cluster;
}

// A copy of `cluster` in which `ns` has its own (changed) objects.
NamespaceObjects& change(PartitionedCluster& cluster, const std::string& ns) {
  auto copy = std::make_shared<NamespaceObjects>(*cluster.objects.at(ns));
  cluster.objects[ns] = copy;
  return *copy;
}

}  // namespace

TEST_CASE("random changes: the incremental findings always equal a whole analysis") {
  std::size_t updates = 0;
  std::size_t partial = 0;
  for (unsigned seed = 1; seed <= 25; ++seed) {
    testing::RandomCluster random(seed);
    PartitionedCluster cluster = random.cluster(40, 14);
    CheckOptions options;
    if (seed % 3 == 0) options.nodelocal_dns = "169.254.20.10";  // # not-a-destination
    IncrementalAnalysis analysis;
    for (int step = 0; step < 40; ++step) {
      if (step == 20 && seed % 5 == 0) options.metadata_severity = "error";  // new options: all checked again
      INFO("seed ", seed, ", step ", step);
      const auto current = std::make_shared<const PartitionedCluster>(cluster);
      CHECK(analysis.update(current, options).flat() == run_checks(flatten(cluster), options));
      ++updates;
      if (step > 0 && analysis.checked() < cluster.objects.size()) ++partial;
      random.change(cluster, step);
    }
  }
  CHECK(updates == 1000);
  CHECK(partial > 300);  // most changes check less than the whole cluster
}

TEST_CASE("what one change checks again") {
  const PartitionedCluster before = small_cluster();
  const CheckOptions options;

  SUBCASE("a policy edited: its namespace only") {
    PartitionedCluster after = before;
    change(after, "app-7").policies["deny"].pod_selector = LabelSelector{{{"app", "paymnet"}}, {}};
    CHECK(affected_namespaces(before, after, options) == std::set<std::string>{"app-7"});
  }
  SUBCASE("pods changed where a cross-namespace peer looks: that peer's namespace too") {
    PartitionedCluster after = before;
    change(after, "app-4").pods.erase("web");  // team-0, looked into by app-1
    CHECK(affected_namespaces(before, after, options) == std::set<std::string>{"app-1", "app-4"});
    PartitionedCluster elsewhere = before;
    change(elsewhere, "app-5").pods.erase("web");  // team-1
    CHECK(affected_namespaces(before, elsewhere, options) == std::set<std::string>{"app-5"});
  }
  SUBCASE("a namespace relabelled: it and every namespace whose peers select namespaces") {
    PartitionedCluster after = before;
    after.namespaces["app-9"].labels["team"] = "team-0";
    CHECK(affected_namespaces(before, after, options) == std::set<std::string>{"app-1", "app-9"});
  }
  SUBCASE("kube-proxy changed: kube-system only; CoreDNS changed: everything") {
    PartitionedCluster proxy = before;
    change(proxy, "kube-system").pods["kube-proxy"].labels["version"] = "2";
    CHECK(affected_namespaces(before, proxy, options) == std::set<std::string>{"kube-system"});
    PartitionedCluster dns = before;
    change(dns, "kube-system").pods["coredns"].ports.push_back({"dns", 53, Protocol::udp});
    CHECK(affected_namespaces(before, dns, options).size() == before.objects.size());
  }
  SUBCASE("a scraper's namespace policy changed: everything") {
    PartitionedCluster after = before;
    change(after, "monitoring").policies["deny"] = testing::deny_all("monitoring", "deny");
    CHECK(affected_namespaces(before, after, options).size() == before.objects.size());
  }
  SUBCASE("nothing changed: nothing checked") {
    CHECK(affected_namespaces(before, before, options).empty());
  }
}

TEST_CASE("a namespace emptied loses its findings; one policy change checks one namespace") {
  PartitionedCluster cluster = small_cluster();
  IncrementalAnalysis analysis;
  const auto count_in = [](const std::vector<Finding>& findings, const std::string& ns) {
    return std::count_if(findings.begin(), findings.end(), [&](const Finding& finding) { return finding.ns == ns; });
  };
  const std::vector<Finding> first = analysis.update(std::make_shared<const PartitionedCluster>(cluster), {}).flat();
  CHECK(analysis.checked() == cluster.objects.size());
  CHECK(count_in(first, "app-3") > 0);  // the default deny blocks DNS

  change(cluster, "app-6").policies["deny"].pod_selector = LabelSelector{{{"app", "paymnet"}}, {}};
  cluster.objects.erase("app-3");
  const std::vector<Finding> second = analysis.update(std::make_shared<const PartitionedCluster>(cluster), {}).flat();
  CHECK(analysis.checked() == 1);
  CHECK(count_in(second, "app-3") == 0);
  CHECK(std::any_of(second.begin(), second.end(), [](const Finding& finding) {
    return finding.ns == "app-6" && finding.check == "selector-matches-nothing";
  }));
  CHECK(second == run_checks(flatten(cluster), {}));
}
