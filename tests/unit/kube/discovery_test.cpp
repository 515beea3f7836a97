#include "kube/discovery.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

using namespace netprobe;
using namespace netprobe::kube;

namespace {

PodRecord pod(const std::string& ns, const std::string& name, const std::string& ip, Annotations annotations = {}) {
  PodRecord record;
  record.ns = ns;
  record.name = name;
  record.ip = ip;
  record.node = "node-a";
  record.running = true;
  record.ready = true;
  record.annotations = std::move(annotations);
  record.container_ports = {ServicePort{"metrics", 9100, "TCP", ""}};
  return record;
}

DiscoveryInput cluster() {
  DiscoveryInput input;
  input.services.push_back(ServiceRecord{"kube-system", "kube-dns", {}, {"127.0.0.10"}, {{"dns", 53, "UDP", "53"}}, {}, {}});
  input.slices.push_back(EndpointSliceRecord{"kube-system", "kube-dns-a", "kube-dns",
                                             {SliceEndpoint{{"127.0.0.11"}, true, false, "coredns-1"},
                                              SliceEndpoint{{"127.0.0.12"}, false, false, "coredns-2"},
                                              SliceEndpoint{{"127.0.0.13"}, true, true, "coredns-3"}}});
  input.slices.push_back(EndpointSliceRecord{"kube-system", "kube-dns-b", "kube-dns", {SliceEndpoint{{"127.0.0.14"}, true, false, ""}}});
  input.pods.push_back(std::make_shared<const PodRecord>(pod("shop", "web", "127.0.0.30", {{"prometheus.io/scrape", "true"}, {"prometheus.io/port", "8080"}})));
  return input;
}

const DiscoveredProbe* named(const std::vector<DiscoveredProbe>& probes, const std::string& name) {
  const auto found = std::find_if(probes.begin(), probes.end(), [&](const DiscoveredProbe& p) { return p.spec->name == name; });
  return found == probes.end() ? nullptr : &*found;
}

}  // namespace

TEST_CASE("DNS: the Service's ClusterIP and every ready, not terminating endpoint, UDP and TCP, from every agent") {
  const auto probes = discover(cluster(), DiscoverySettings{});
  const DiscoveredProbe* service = named(probes, "kube-dns-service");
  REQUIRE(service);
  CHECK(service->every_agent);
  CHECK(service->source == "Service kube-system/kube-dns");
  const auto& dns = std::get<DnsSpec>(service->spec->params);
  CHECK(dns.servers == std::vector<std::string>{"127.0.0.10:53"});
  CHECK(dns.query == "kubernetes.default.svc.cluster.local.");
  CHECK(dns.transports == std::vector<DnsTransport>{DnsTransport::udp, DnsTransport::tcp});

  const DiscoveredProbe* endpoints = named(probes, "kube-dns-endpoints");
  REQUIRE(endpoints);
  CHECK(std::get<DnsSpec>(endpoints->spec->params).servers == std::vector<std::string>{"127.0.0.11:53", "127.0.0.14:53"});
  CHECK(endpoints->source == "EndpointSlice kube-system/kube-dns-a kube-system/kube-dns-b");
  CHECK_FALSE(named(probes, "nodelocal-dns"));  // no node-local-dns pods
}

TEST_CASE("NodeLocal DNSCache only where its pods run") {
  DiscoveryInput input = cluster();
  PodRecord cache = pod("kube-system", "node-local-dns-x", "127.0.0.40");
  cache.labels = {{"k8s-app", "node-local-dns"}};
  input.pods.push_back(std::make_shared<const PodRecord>(cache));
  const auto probes = discover(input, DiscoverySettings{});
  const DiscoveredProbe* nodelocal = named(probes, "nodelocal-dns");
  REQUIRE(nodelocal);
  CHECK(std::get<DnsSpec>(nodelocal->spec->params).servers == std::vector<std::string>{"169.254.20.10:53"});  // # not-a-destination
}

TEST_CASE("scrape targets: annotated, servable pods, by TCP connect unless http is asked for") {
  DiscoveryInput input = cluster();
  PodRecord no_ip = pod("shop", "pending", "", {{"prometheus.io/scrape", "true"}});
  PodRecord not_ready = pod("shop", "starting", "127.0.0.31", {{"prometheus.io/scrape", "true"}});
  not_ready.ready = false;
  PodRecord leaving = pod("shop", "leaving", "127.0.0.32", {{"prometheus.io/scrape", "true"}});
  leaving.terminating = true;
  PodRecord unannotated = pod("shop", "quiet", "127.0.0.33");
  for (const PodRecord& extra : {no_ip, not_ready, leaving, unannotated}) input.pods.push_back(std::make_shared<const PodRecord>(extra));

  const auto probes = discover(input, DiscoverySettings{});
  std::vector<const DiscoveredProbe*> scrapes;
  for (const DiscoveredProbe& probe : probes) {
    if (probe.spec->name == "scrape") scrapes.push_back(&probe);
  }
  REQUIRE(scrapes.size() == 1);  // only the Running, Ready pod with an IP
  CHECK_FALSE(scrapes[0]->every_agent);
  CHECK(scrapes[0]->target_key == "shop/web:8080");
  CHECK(std::get<TcpSpec>(scrapes[0]->spec->params).target == Endpoint{"127.0.0.30", 8080});

  DiscoverySettings http;
  http.scrape_mode = ScrapeMode::http;
  PodRecord with_path = *input.pods[0];
  with_path.annotations["prometheus.io/path"] = "/stats";
  input.pods[0] = std::make_shared<const PodRecord>(with_path);
  const auto http_probes = discover(input, http);
  const DiscoveredProbe* scrape = named(http_probes, "scrape");
  REQUIRE(scrape);
  CHECK(std::get<HttpSpec>(scrape->spec->params).url == "http://127.0.0.30:8080/stats");
}

TEST_CASE("an annotated Service's ready endpoints are scrape targets, the first TCP port when none is named") {
  DiscoveryInput input;
  input.services.push_back(
      ServiceRecord{"shop", "api", {}, {"127.0.0.50"}, {{"http", 80, "TCP", ""}}, {}, {{"prometheus.io/scrape", "true"}}});
  input.slices.push_back(EndpointSliceRecord{"shop", "api-x", "api",
                                             {SliceEndpoint{{"127.0.0.51"}, true, false, "api-1"},
                                              SliceEndpoint{{"127.0.0.52"}, false, false, "api-2"}}});
  input.pods.push_back(std::make_shared<const PodRecord>(pod("shop", "api-1", "127.0.0.51")));
  input.pods.push_back(std::make_shared<const PodRecord>(pod("shop", "api-2", "127.0.0.52")));
  const auto probes = discover(input, DiscoverySettings{});
  REQUIRE(probes.size() == 1);
  CHECK(probes[0].source == "Service shop/api");
  CHECK(std::get<TcpSpec>(probes[0].spec->params).target == Endpoint{"127.0.0.51", 9100});
}

TEST_CASE("discovery off: nothing") { CHECK(discover(cluster(), DiscoverySettings{.enabled = false}).empty()); }

TEST_CASE("rendezvous assignment: count agents, stable, and little movement when agents come and go") {
  std::vector<std::string> agents;
  for (int i = 0; i < 50; ++i) agents.push_back("node-" + std::to_string(i));
  const auto chosen = assign_agents("shop/web:8080", agents, 3);
  CHECK(chosen.size() == 3);
  CHECK(assign_agents("shop/web:8080", agents, 3) == chosen);
  CHECK(assign_agents("shop/web:8080", {"node-1"}, 3) == std::vector<std::string>{"node-1"});
  CHECK(assign_agents("x", {}, 3).empty());

  // One agent more: of 200 targets, only those the newcomer wins move (about 3/51 of the slots).
  std::vector<std::string> more = agents;
  more.push_back("node-new");
  std::size_t moved = 0;
  std::map<std::string, std::size_t> load;
  for (int t = 0; t < 200; ++t) {
    const std::string key = "ns/pod-" + std::to_string(t) + ":9100";
    const auto before = assign_agents(key, agents, 3);
    const auto after = assign_agents(key, more, 3);
    for (const std::string& agent : after) {
      ++load[agent];
      if (std::find(before.begin(), before.end(), agent) == before.end()) {
        ++moved;
        CHECK(agent == "node-new");  // nothing moves between the agents that stayed
      }
    }
  }
  CHECK(moved < 30);
  // Spread: no agent carries many times its share (600 slots over 51 agents: ~12 each).
  for (const auto& [agent, count] : load) CHECK(count < 40);
}

TEST_CASE("the assignment: every agent the DNS probes, each scrape target its scrape_agents") {
  DiscoveryInput input = cluster();
  input.pods.push_back(std::make_shared<const PodRecord>(pod("shop", "api", "127.0.0.34", {{"prometheus.io/scrape", "true"}})));
  const auto probes = discover(input, DiscoverySettings{});
  const std::vector<std::string> agents{"node-a", "node-b", "node-c", "node-d"};
  const Assignment assignment = assign(probes, agents, 2);
  CHECK(assignment.every_agent.size() == 2);  // kube-dns-service, kube-dns-endpoints
  std::size_t scrape_slots = 0;
  for (const auto& [node, specs] : assignment.by_node) scrape_slots += specs.size();
  CHECK(scrape_slots == 4);  // two targets, two agents each
  for (std::size_t i = 0; i < probes.size(); ++i) {
    CHECK(assignment.agents_of[i].size() == (probes[i].every_agent ? 0u : 2u));
  }
  const auto for_a = assignment.for_agent("node-a", "monitoring");
  CHECK(for_a.size() >= 2);
  CHECK(assignment.for_agent("unknown-node", "monitoring").size() == 2);  // an agent not yet counted gets the DNS probes only

  const Assignment of_monitoring = assign(probes, agents, 4, "monitoring");
  CHECK(of_monitoring.for_agent("node-a", "monitoring").size() == 4);  // DNS, and both scrape targets
  CHECK(of_monitoring.for_agent("node-a", "shop").size() == 2);        // a sentinel there: the DNS probes only
}

TEST_CASE("the agents' namespace: the one most reporting agents name, not a sentinel's") {
  CHECK(agents_namespace({"frontend", "monitoring", "monitoring", "payment"}) == "monitoring");
  CHECK(agents_namespace({"shop", "monitoring"}) == "monitoring");  // a tie: the first by name
  CHECK(agents_namespace({"frontend", "monitoring"}) == "frontend");  // …unless told which runs a DaemonSet:
  CHECK(agents_namespace({"frontend", "monitoring"}, [](const std::string& ns) { return ns == "monitoring"; }) == "monitoring");
  CHECK(agents_namespace({"frontend", "monitoring", "monitoring"}, [](const std::string&) { return false; }) == "monitoring");
  CHECK(agents_namespace({}).empty());
}

TEST_CASE("nodes without an agent: Ready and schedulable ones no agent reports from") {
  const std::vector<NodeRecord> nodes{{"node-c", true, true}, {"node-a", true, true}, {"node-b", false, true},
                                      {"node-d", true, false}, {"node-e", true, true}};
  CHECK(nodes_without_agent(nodes, {"node-a"}) == std::vector<std::string>{"node-c", "node-e"});
  CHECK(nodes_without_agent(nodes, {"node-a", "node-c", "node-e"}).empty());
}

TEST_CASE("monitors: a ServiceMonitor's Services by label and namespace, a PodMonitor's pods, by port name") {
  DiscoveryInput input;
  ServiceRecord api{"shop", "api", {{"app", "api"}}, {"127.0.0.60"}, {{"web", 80, "TCP", "http"}, {"metrics", 9100, "TCP", "9102"}}, {}, {}};
  input.services.push_back(api);
  ServiceRecord elsewhere = api;
  elsewhere.ns = "other";
  input.services.push_back(elsewhere);
  input.slices.push_back(EndpointSliceRecord{"shop", "api-x", "api", {SliceEndpoint{{"127.0.0.61"}, true, false, "api-1"}}});
  input.slices.push_back(EndpointSliceRecord{"other", "api-y", "api", {SliceEndpoint{{"127.0.0.62"}, true, false, "api-2"}}});
  PodRecord api_pod = pod("shop", "api-1", "127.0.0.61");
  api_pod.container_ports.push_back(ServicePort{"http", 8080, "TCP", ""});
  input.pods.push_back(std::make_shared<const PodRecord>(api_pod));
  input.pods.push_back(std::make_shared<const PodRecord>(pod("other", "api-2", "127.0.0.62")));
  PodRecord worker = pod("jobs", "worker-1", "127.0.0.63");
  worker.labels = {{"app", "worker"}};
  input.pods.push_back(std::make_shared<const PodRecord>(worker));

  MonitorRecord service_monitor;
  service_monitor.ns = "monitoring";
  service_monitor.name = "api";
  service_monitor.selector.match_labels = {{"app", "api"}};
  service_monitor.namespaces = {"shop"};
  service_monitor.endpoints = {MonitorEndpoint{"metrics", "", "/m", "http"}, MonitorEndpoint{"web", "", "/metrics", "http"}};
  MonitorRecord pod_monitor;
  pod_monitor.pods = true;
  pod_monitor.ns = "jobs";
  pod_monitor.name = "worker";
  pod_monitor.selector.match_labels = {{"app", "worker"}};
  pod_monitor.endpoints = {MonitorEndpoint{"metrics", "", "/metrics", "http"}};
  input.monitors = {service_monitor, pod_monitor};

  const auto probes = discover(input, DiscoverySettings{});
  std::map<std::string, std::string> targets;  // target → source
  for (const DiscoveredProbe& probe : probes) {
    targets[std::get<TcpSpec>(probe.spec->params).target.to_string()] = probe.source;
  }
  CHECK(targets == std::map<std::string, std::string>{
                       {"127.0.0.61:9102", "ServiceMonitor monitoring/api"},  // the Service port's numeric targetPort
                       {"127.0.0.61:8080", "ServiceMonitor monitoring/api"},  // a named targetPort, by the pod's port name
                       {"127.0.0.63:9100", "PodMonitor jobs/worker"}});        // only in its own namespace by default
}
