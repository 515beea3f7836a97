// netpol/partitioned.hpp: a namespace's view decides its findings exactly as
// the whole cluster does, on random clusters where every check fires.
#include "netpol/partitioned.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "netpol/checks.hpp"
#include "random_cluster.hpp"

using namespace netprobe;
using namespace netprobe::netpol;

namespace {

std::vector<Finding> of_namespace(const std::vector<Finding>& findings, const std::string& ns) {
  std::vector<Finding> out;
  for (const Finding& finding : findings) {
    if (finding.ns == ns) out.push_back(finding);
  }
  return out;
}

}  // namespace

TEST_CASE("flatten lists objects as the API does: by namespace, then name") {
  PartitionedCluster cluster;
  auto shop = std::make_shared<NamespaceObjects>();
  shop->pods["b"] = testing::pod_named("shop", "b");
  shop->pods["a"] = testing::pod_named("shop", "a");
  auto dev = std::make_shared<NamespaceObjects>();
  dev->pods["z"] = testing::pod_named("dev", "z");
  cluster.objects = {{"shop", shop}, {"dev", dev}};
  const Cluster flat = flatten(cluster);
  REQUIRE(flat.pods.size() == 3);
  CHECK(flat.pods[0].name == "z");
  CHECK(flat.pods[1].name == "a");
  CHECK(flat.pods[2].name == "b");
  CHECK(cluster.pod_count() == 3);
}

TEST_CASE("partition holds each namespace's objects apart, and flatten gives them back") {
  Cluster cluster;
  cluster.namespaces.push_back(Namespace{"shop", {{"team", "web"}}, {}});
  cluster.pods = {testing::pod_named("shop", "a"), testing::pod_named("dev", "z")};
  cluster.policies.push_back(NetworkPolicy{});
  cluster.policies.back().ns = "shop";
  cluster.policies.back().name = "deny";
  cluster.service_accounts.push_back(ServiceAccount{"dev", "builder", {}, {}});
  const PartitionedCluster held = partition(cluster);
  CHECK(held.namespaces.at("shop").labels.at("team") == "web");
  CHECK(held.objects.at("shop")->pods.count("a") == 1);
  CHECK(held.objects.at("shop")->policies.count("deny") == 1);
  CHECK(held.objects.at("dev")->service_accounts.count("builder") == 1);
  const Cluster back = flatten(held);
  REQUIRE(back.pods.size() == 2);
  CHECK(back.pods[0].name == "z");  // dev before shop, as the API lists them
  CHECK(back.policies.size() == 1);
}

TEST_CASE("each namespace's view gives the findings the whole cluster gives it") {
  std::size_t compared = 0;
  std::set<std::string> checks_seen;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    testing::RandomCluster random(seed);
    const PartitionedCluster cluster = random.cluster(40, 14);
    CheckOptions options;
    if (seed % 3 == 0) options.nodelocal_dns = "169.254.20.10";  // # not-a-destination
    if (seed % 4 == 0) options.prometheus_labels = {{"app", "prometheus"}};
    const std::vector<Finding> whole = run_checks(flatten(cluster), options);
    for (const Finding& finding : whole) checks_seen.insert(finding.check);
    const NamespaceViews views(cluster, options);
    for (const auto& entry : cluster.objects) {  // not a structured binding: clang cannot capture one (INFO)
      const auto& ns = entry.first;
      INFO("seed ", seed, ", namespace ", ns);
      CHECK(run_checks_of_namespace(views.of(ns), ns, options) == of_namespace(whole, ns));
      ++compared;
    }
  }
  CHECK(compared > 200);
  // The random clusters exercise every check, so the equality above covers each.
  CHECK(checks_seen == std::set<std::string>{"dns-egress-blocked", "dns-tcp-blocked", "metadata-blocked",
                                             "scrape-path-blocked", "selector-matches-nothing",
                                             "unprotected-workload"});
}

TEST_CASE("a view holds its own namespace whole and of the others only what decides its paths") {
  PartitionedCluster cluster;
  auto system = std::make_shared<NamespaceObjects>();
  system->pods["coredns"] = testing::pod_named("kube-system", "coredns", {{"k8s-app", "kube-dns"}});
  system->pods["kube-proxy"] = testing::pod_named("kube-system", "kube-proxy", {{"k8s-app", "kube-proxy"}});
  auto shop = std::make_shared<NamespaceObjects>();
  shop->pods["web"] = testing::pod_named("shop", "web", {{"app", "web"}});
  auto dev = std::make_shared<NamespaceObjects>();
  dev->pods["tool"] = testing::pod_named("dev", "tool");
  dev->policies["deny"] = testing::deny_all("dev", "deny");
  cluster.objects = {{"kube-system", system}, {"shop", shop}, {"dev", dev}};
  const NamespaceViews views(cluster, CheckOptions{});
  const Cluster view = views.of("shop");
  std::vector<std::string> pods;
  for (const Pod& pod : view.pods) pods.push_back(pod.ns + "/" + pod.name);
  CHECK(pods == std::vector<std::string>{"kube-system/coredns", "shop/web"});
  CHECK(view.policies.empty());  // dev's policy decides nothing about shop
}

TEST_CASE("a workload is analysed as its template only while it has no live pod") {
  NamespaceObjects shop;
  Pod web = testing::pod_named("shop", "web-5d8f9-abcde", {{"app", "web"}});
  web.workload = "web";
  web.workload_kind = "Deployment";
  shop.pods[web.name] = web;
  for (const char* name : {"web", "idle"}) {
    Pod workload = testing::pod_named("shop", name, {{"app", name}});
    workload.workload_kind = "Deployment";
    shop.workloads[workload_key("Deployment", name)] = workload;
  }
  std::vector<std::string> names;
  for (const Pod* pod : shop.analysed_pods()) names.push_back(pod->name);
  CHECK(names == std::vector<std::string>{"web-5d8f9-abcde", "idle"});  // web runs; idle is scaled to zero
}
