#pragma once
// What target discovery reads of Services, EndpointSlices, Pods and Nodes,
// read from the API's JSON with every field's type checked (an object of the
// wrong shape is an ApiReplyError naming the field, and is skipped).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ip_address.hpp"
#include "kube/api_reply.hpp"
#include "netpol/model.hpp"

namespace netprobe::kube {

using Annotations = std::map<std::string, std::string>;  // only prometheus.io/* are kept

struct ServicePort {
  std::string name;
  std::uint16_t port = 0;
  std::string protocol = "TCP";
  std::string target_port;  // a Service's targetPort: a number or a container port's name; "" = port
};

struct ServiceRecord {
  std::string ns, name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> cluster_ips;  // spec.clusterIPs (or clusterIP); empty for headless ("None")
  std::vector<ServicePort> ports;
  std::map<std::string, std::string> selector;
  Annotations annotations;
};

struct SliceEndpoint {
  std::vector<std::string> addresses;
  bool ready = false;  // conditions.ready; absent counts as ready, as the API defines
  bool terminating = false;
  std::string pod;  // targetRef.name when targetRef.kind is Pod
};

struct EndpointSliceRecord {
  std::string ns, name;
  std::string service;  // the kubernetes.io/service-name label
  std::vector<SliceEndpoint> endpoints;
};

struct PodRecord {
  std::string ns, name;
  std::string ip;  // status.podIP, "" while it has none
  std::string node;
  bool running = false;     // status.phase Running
  bool ready = false;       // the Ready condition is True
  bool terminating = false;  // metadata.deletionTimestamp is set
  bool host_network = false;
  std::map<std::string, std::string> labels;
  Annotations annotations;
  std::vector<ServicePort> container_ports;  // every container's, named as declared
};

struct NodeRecord {
  std::string name;
  bool ready = false;  // the Ready condition is True
  bool schedulable = true;  // not spec.unschedulable (cordoned)
};

ServiceRecord read_service(const nlohmann::json& object);
EndpointSliceRecord read_endpoint_slice(const nlohmann::json& object);
PodRecord read_pod(const nlohmann::json& object);
NodeRecord read_node(const nlohmann::json& object);

// A prometheus-operator ServiceMonitor or PodMonitor (monitoring.coreos.com/v1), as far as
// it says what is scraped: which Services (or Pods), in which namespaces, on which ports.
struct MonitorEndpoint {
  std::string port;         // a Service port's name (ServiceMonitor) or a container port's (PodMonitor)
  std::string target_port;  // the deprecated targetPort, a number or a name; "" when not given
  std::string path = "/metrics";
  std::string scheme = "http";
};

struct MonitorRecord {
  bool pods = false;  // a PodMonitor: selects Pods; else a ServiceMonitor: selects Services
  std::string ns, name;
  netpol::LabelSelector selector;
  bool any_namespace = false;
  std::vector<std::string> namespaces;  // namespaceSelector.matchNames; empty (and not any): its own
  std::vector<MonitorEndpoint> endpoints;
};

MonitorRecord read_service_monitor(const nlohmann::json& object);
MonitorRecord read_pod_monitor(const nlohmann::json& object);

}  // namespace netprobe::kube
