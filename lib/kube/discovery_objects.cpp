#include "discovery_objects.hpp"

#include "core/yaml_reader.hpp"
#include "netpol/read_fields.hpp"

#include <algorithm>

namespace netprobe::kube {
namespace {

using nlohmann::json;

// A member that must have one type when present. `where` names it in errors.
const json* member(const json& object, const char* key, json::value_t type, const std::string& where) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  const bool matches = type == json::value_t::number_unsigned ? found->is_number_integer() : found->type() == type;
  if (!matches) throw ApiReplyError(where + "." + key + ": unexpected type");
  return &*found;
}

std::string string_at(const json& object, const char* key, const std::string& where) {
  const json* found = member(object, key, json::value_t::string, where);
  return found ? found->get<std::string>() : "";
}

bool bool_at(const json& object, const char* key, bool absent, const std::string& where) {
  const json* found = member(object, key, json::value_t::boolean, where);
  return found ? found->get<bool>() : absent;
}

const json& object_at(const json& object, const char* key, const std::string& where) {
  static const json kEmpty = json::object();
  const json* found = member(object, key, json::value_t::object, where);
  return found ? *found : kEmpty;
}

const json& array_at(const json& object, const char* key, const std::string& where) {
  static const json kEmpty = json::array();
  const json* found = member(object, key, json::value_t::array, where);
  return found ? *found : kEmpty;
}

std::map<std::string, std::string> string_map(const json& object, const char* key, const std::string& where,
                                               bool prometheus_only) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : object_at(object, key, where).items()) {
    if (prometheus_only && !name.starts_with("prometheus.io/")) continue;
    if (!value.is_string()) throw ApiReplyError(where + "." + key + "." + name + ": not a string");
    out[name] = value.get<std::string>();
  }
  return out;
}

std::uint16_t port_at(const json& object, const char* key, const std::string& where) {
  const json* found = member(object, key, json::value_t::number_unsigned, where);
  if (!found) throw ApiReplyError(where + "." + key + ": missing");
  const auto value = found->get<std::int64_t>();
  if (value < 1 || value > 65535) throw ApiReplyError(where + "." + key + ": out of range");
  return static_cast<std::uint16_t>(value);
}

// The True-or-not of a condition of status.conditions.
bool condition_true(const json& status, const std::string& type, const std::string& where) {
  for (const json& condition : array_at(status, "conditions", where + ".status")) {
    if (!condition.is_object()) throw ApiReplyError(where + ".status.conditions: not an object");
    if (string_at(condition, "type", where + ".status.conditions") == type) {
      return string_at(condition, "status", where + ".status.conditions") == "True";
    }
  }
  return false;
}

// An IntOrString field (targetPort): its text, "" when absent.
std::string int_or_string(const json& object, const char* key, const std::string& where) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return "";
  if (found->is_string()) return found->get<std::string>();
  if (found->is_number_integer()) return std::to_string(found->get<std::int64_t>());
  throw ApiReplyError(where + "." + key + ": unexpected type");
}

// A label selector, by netpol's reader (the one NetworkPolicies are read with): one set of
// rules for operators and values. Its ConfigError becomes an ApiReplyError naming the field.
netpol::LabelSelector label_selector(const json& object, const char* key, const std::string& where) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return {};
  static const std::string kSource = "monitor";  // Field keeps a reference to it
  try {
    return netpol::read_selector(Field(yaml_from_json(*found), where + "." + key, kSource));
  } catch (const ConfigError& error) {
    throw ApiReplyError(error.field() + ": " + error.message());
  }
}

MonitorRecord read_monitor(const json& object, bool pods) {
  const char* kind = pods ? "PodMonitor" : "ServiceMonitor";
  if (!object.is_object()) throw ApiReplyError(std::string(kind) + ": not an object");
  const json& metadata = object_at(object, "metadata", kind);
  MonitorRecord monitor;
  monitor.pods = pods;
  monitor.ns = string_at(metadata, "namespace", "metadata");
  monitor.name = string_at(metadata, "name", "metadata");
  if (monitor.name.empty()) throw ApiReplyError(std::string(kind) + ": no metadata.name");
  const json& spec = object_at(object, "spec", kind);
  monitor.selector = label_selector(spec, "selector", "spec");
  const json& namespaces = object_at(spec, "namespaceSelector", "spec");
  monitor.any_namespace = bool_at(namespaces, "any", false, "spec.namespaceSelector");
  for (const json& name : array_at(namespaces, "matchNames", "spec.namespaceSelector")) {
    if (!name.is_string()) throw ApiReplyError("spec.namespaceSelector.matchNames: not a string");
    monitor.namespaces.push_back(name.get<std::string>());
  }
  const char* list = pods ? "podMetricsEndpoints" : "endpoints";
  for (const json& endpoint : array_at(spec, list, "spec")) {
    if (!endpoint.is_object()) throw ApiReplyError(std::string("spec.") + list + ": not an object");
    const std::string where = std::string("spec.") + list;
    MonitorEndpoint read;
    read.port = string_at(endpoint, "port", where);
    read.target_port = int_or_string(endpoint, "targetPort", where);
    if (const std::string path = string_at(endpoint, "path", where); !path.empty()) read.path = path;
    if (const std::string scheme = string_at(endpoint, "scheme", where); !scheme.empty()) read.scheme = scheme;
    monitor.endpoints.push_back(std::move(read));
  }
  return monitor;
}

struct Named {
  std::string ns, name;
};

Named name_of(const json& object, const char* kind) {
  if (!object.is_object()) throw ApiReplyError(std::string(kind) + ": not an object");
  const json& metadata = object_at(object, "metadata", kind);
  Named named{string_at(metadata, "namespace", "metadata"), string_at(metadata, "name", "metadata")};
  if (named.name.empty()) throw ApiReplyError(std::string(kind) + ": no metadata.name");
  return named;
}

}  // namespace

ServiceRecord read_service(const json& object) {
  const Named named = name_of(object, "Service");
  ServiceRecord service;
  service.ns = named.ns;
  service.name = named.name;
  const json& metadata = object_at(object, "metadata", "Service");
  service.annotations = string_map(metadata, "annotations", "metadata", true);
  service.labels = string_map(metadata, "labels", "metadata", false);
  const json& spec = object_at(object, "spec", "Service");
  for (const json& ip : array_at(spec, "clusterIPs", "spec")) {
    if (!ip.is_string()) throw ApiReplyError("spec.clusterIPs: not a string");
    if (parse_ip(ip.get<std::string>())) service.cluster_ips.push_back(ip.get<std::string>());
  }
  if (service.cluster_ips.empty()) {
    const std::string ip = string_at(spec, "clusterIP", "spec");
    if (parse_ip(ip)) service.cluster_ips.push_back(ip);  // "None" for a headless Service
  }
  for (const json& port : array_at(spec, "ports", "spec")) {
    if (!port.is_object()) throw ApiReplyError("spec.ports: not an object");
    ServicePort read{string_at(port, "name", "spec.ports"), port_at(port, "port", "spec.ports"),
                     string_at(port, "protocol", "spec.ports"), int_or_string(port, "targetPort", "spec.ports")};
    if (read.protocol.empty()) read.protocol = "TCP";
    service.ports.push_back(std::move(read));
  }
  service.selector = string_map(spec, "selector", "spec", false);
  return service;
}

EndpointSliceRecord read_endpoint_slice(const json& object) {
  const Named named = name_of(object, "EndpointSlice");
  EndpointSliceRecord slice{named.ns, named.name, "", {}};
  const json& metadata = object_at(object, "metadata", "EndpointSlice");
  const auto labels = string_map(metadata, "labels", "metadata", false);
  if (const auto service = labels.find("kubernetes.io/service-name"); service != labels.end()) slice.service = service->second;
  for (const json& endpoint : array_at(object, "endpoints", "EndpointSlice")) {
    if (!endpoint.is_object()) throw ApiReplyError("endpoints: not an object");
    SliceEndpoint read;
    for (const json& address : array_at(endpoint, "addresses", "endpoints")) {
      if (!address.is_string()) throw ApiReplyError("endpoints.addresses: not a string");
      if (parse_ip(address.get<std::string>())) read.addresses.push_back(address.get<std::string>());
    }
    const json& conditions = object_at(endpoint, "conditions", "endpoints");
    read.ready = bool_at(conditions, "ready", true, "endpoints.conditions");
    read.terminating = bool_at(conditions, "terminating", false, "endpoints.conditions");
    const json& target = object_at(endpoint, "targetRef", "endpoints");
    if (string_at(target, "kind", "endpoints.targetRef") == "Pod") read.pod = string_at(target, "name", "endpoints.targetRef");
    slice.endpoints.push_back(std::move(read));
  }
  return slice;
}

PodRecord read_pod(const json& object) {
  const Named named = name_of(object, "Pod");
  PodRecord pod;
  pod.ns = named.ns;
  pod.name = named.name;
  const json& metadata = object_at(object, "metadata", "Pod");
  pod.labels = string_map(metadata, "labels", "metadata", false);
  pod.annotations = string_map(metadata, "annotations", "metadata", true);
  pod.terminating = !string_at(metadata, "deletionTimestamp", "metadata").empty();
  const json& spec = object_at(object, "spec", "Pod");
  pod.node = string_at(spec, "nodeName", "spec");
  pod.host_network = bool_at(spec, "hostNetwork", false, "spec");
  for (const json& container : array_at(spec, "containers", "spec")) {
    if (!container.is_object()) throw ApiReplyError("spec.containers: not an object");
    for (const json& port : array_at(container, "ports", "spec.containers")) {
      if (!port.is_object()) throw ApiReplyError("spec.containers.ports: not an object");
      ServicePort read{string_at(port, "name", "spec.containers.ports"),
                       port_at(port, "containerPort", "spec.containers.ports"),
                       string_at(port, "protocol", "spec.containers.ports"), ""};
      if (read.protocol.empty()) read.protocol = "TCP";
      pod.container_ports.push_back(std::move(read));
    }
  }
  const json& status = object_at(object, "status", "Pod");
  const std::string ip = string_at(status, "podIP", "status");
  if (parse_ip(ip)) pod.ip = ip;
  pod.running = string_at(status, "phase", "status") == "Running";
  pod.ready = condition_true(status, "Ready", "Pod");
  return pod;
}

NodeRecord read_node(const json& object) {
  const Named named = name_of(object, "Node");
  NodeRecord node{named.name, false, true};
  node.schedulable = !bool_at(object_at(object, "spec", "Node"), "unschedulable", false, "spec");
  node.ready = condition_true(object_at(object, "status", "Node"), "Ready", "Node");
  return node;
}

MonitorRecord read_service_monitor(const json& object) { return read_monitor(object, false); }
MonitorRecord read_pod_monitor(const json& object) { return read_monitor(object, true); }

}  // namespace netprobe::kube
