#include "kube/discovery_objects.hpp"

#include <doctest/doctest.h>

using namespace netprobe::kube;
using nlohmann::json;

TEST_CASE("a Service: its ClusterIPs (none when headless), ports, selector, scrape annotations only") {
  const ServiceRecord service = read_service(json::parse(R"({"metadata": {"namespace": "kube-system", "name": "kube-dns",
      "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9153", "other": "x"}},
    "spec": {"clusterIP": "127.0.0.10", "clusterIPs": ["127.0.0.10"], "selector": {"k8s-app": "kube-dns"},
             "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53}]}})"));
  CHECK(service.cluster_ips == std::vector<std::string>{"127.0.0.10"});
  REQUIRE(service.ports.size() == 2);
  CHECK(service.ports[0].protocol == "UDP");
  CHECK(service.ports[1].protocol == "TCP");  // the API's default
  CHECK(service.annotations == Annotations{{"prometheus.io/port", "9153"}, {"prometheus.io/scrape", "true"}});
  CHECK(read_service(json::parse(R"({"metadata": {"name": "h"}, "spec": {"clusterIP": "None"}})")).cluster_ips.empty());
}

TEST_CASE("an EndpointSlice: its Service, and each endpoint's addresses and conditions") {
  const EndpointSliceRecord slice = read_endpoint_slice(json::parse(R"({"metadata": {"namespace": "kube-system",
      "name": "kube-dns-x", "labels": {"kubernetes.io/service-name": "kube-dns"}},
    "endpoints": [{"addresses": ["127.0.0.11"], "conditions": {"ready": true}, "targetRef": {"kind": "Pod", "name": "coredns-a"}},
                  {"addresses": ["127.0.0.12"], "conditions": {"ready": false, "terminating": true}},
                  {"addresses": ["127.0.0.13"]}]})"));
  CHECK(slice.service == "kube-dns");
  REQUIRE(slice.endpoints.size() == 3);
  CHECK(slice.endpoints[0].pod == "coredns-a");
  CHECK(slice.endpoints[0].ready);
  CHECK_FALSE(slice.endpoints[1].ready);
  CHECK(slice.endpoints[1].terminating);
  CHECK(slice.endpoints[2].ready);  // no conditions: ready, as the API defines
}

TEST_CASE("a Pod: IP, node, phase, the Ready condition, deletion, host network, ports") {
  const PodRecord pod = read_pod(json::parse(R"({"metadata": {"namespace": "shop", "name": "web-1", "labels": {"app": "web"},
      "deletionTimestamp": "2026-12-02T06:00:00Z"},
    "spec": {"nodeName": "node-a", "hostNetwork": true, "containers": [{"ports": [{"containerPort": 8080, "name": "http"}]}]},
    "status": {"phase": "Running", "podIP": "127.0.0.20", "conditions": [{"type": "Ready", "status": "True"}]}})"));
  CHECK(pod.ip == "127.0.0.20");
  CHECK(pod.node == "node-a");
  CHECK(pod.running);
  CHECK(pod.ready);
  CHECK(pod.terminating);
  CHECK(pod.host_network);
  REQUIRE(pod.container_ports.size() == 1);
  CHECK(pod.container_ports[0].port == 8080);
  const PodRecord pending = read_pod(json::parse(R"({"metadata": {"name": "p"}, "status": {"phase": "Pending"}})"));
  CHECK(pending.ip.empty());
  CHECK_FALSE(pending.ready);
}

TEST_CASE("a Node: Ready, and cordoned") {
  const NodeRecord node = read_node(json::parse(
      R"({"metadata": {"name": "node-a"}, "spec": {"unschedulable": true}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}})"));
  CHECK(node.ready);
  CHECK_FALSE(node.schedulable);
  CHECK_FALSE(read_node(json::parse(R"({"metadata": {"name": "b"}, "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}})")).ready);
}

TEST_CASE("fields of the wrong type are refused, naming the field") {
  CHECK_THROWS_WITH_AS(read_pod(json::parse(R"({"metadata": {"name": "p"}, "status": {"podIP": 5}})")),
                       "status.podIP: unexpected type", ApiReplyError);
  CHECK_THROWS_WITH_AS(read_service(json::parse(R"({"metadata": {"name": "s"}, "spec": {"ports": [{"port": 70000}]}})")),
                       "spec.ports.port: out of range", ApiReplyError);
  CHECK_THROWS_WITH_AS(read_endpoint_slice(json::parse(R"({"metadata": {"name": "e"}, "endpoints": {}})")),
                       "EndpointSlice.endpoints: unexpected type", ApiReplyError);
  CHECK_THROWS_AS(read_node(json::parse(R"({"metadata": {}})")), ApiReplyError);
  CHECK_THROWS_AS(read_pod(json::parse(R"({"metadata": {"name": "p", "labels": {"a": {}}}})")), ApiReplyError);
}

TEST_CASE("a ServiceMonitor and a PodMonitor: selector, namespaces, endpoints") {
  const MonitorRecord service_monitor = read_service_monitor(json::parse(R"({"metadata": {"namespace": "monitoring", "name": "coredns"},
    "spec": {"selector": {"matchLabels": {"k8s-app": "kube-dns"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["x"]}]},
             "namespaceSelector": {"matchNames": ["kube-system"]},
             "endpoints": [{"port": "metrics", "path": "/m", "scheme": "https"}, {"targetPort": 9153}]}})"));
  CHECK_FALSE(service_monitor.pods);
  CHECK(service_monitor.namespaces == std::vector<std::string>{"kube-system"});
  CHECK(service_monitor.selector.matches({{"k8s-app", "kube-dns"}}));
  CHECK_FALSE(service_monitor.selector.matches({{"k8s-app", "kube-dns"}, {"tier", "x"}}));
  REQUIRE(service_monitor.endpoints.size() == 2);
  CHECK(service_monitor.endpoints[0].path == "/m");
  CHECK(service_monitor.endpoints[0].scheme == "https");
  CHECK(service_monitor.endpoints[1].target_port == "9153");
  CHECK(service_monitor.endpoints[1].path == "/metrics");

  const MonitorRecord pod_monitor = read_pod_monitor(json::parse(R"({"metadata": {"namespace": "jobs", "name": "w"},
    "spec": {"namespaceSelector": {"any": true}, "podMetricsEndpoints": [{"port": "metrics"}]}})"));
  CHECK(pod_monitor.pods);
  CHECK(pod_monitor.any_namespace);
  CHECK(pod_monitor.selector.empty());

  CHECK_THROWS_WITH_AS(read_service_monitor(json::parse(R"({"metadata": {"name": "m"}, "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}}})")),
                       "spec.selector.matchExpressions[0].operator: unknown operator \"Near\" (expected In, NotIn, Exists, DoesNotExist)",
                       ApiReplyError);
  CHECK_THROWS_AS(read_pod_monitor(json::parse(R"({"metadata": {"name": "m"}, "spec": {"podMetricsEndpoints": {}}})")), ApiReplyError);
}
