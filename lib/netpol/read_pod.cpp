#include "read_pod.hpp"

namespace netprobe::netpol {
namespace {

ContainerPort read_container_port(const Field& field) {
  MapReader reader(field);  // loose: hostPort, hostIP
  ContainerPort port;
  port.port = read_port_number(reader.required("containerPort"));
  if (auto name = reader.optional("name"); name && !is_null(*name)) port.name = api_string(*name);
  if (auto protocol = reader.optional("protocol"); protocol && !is_null(*protocol)) {
    const std::string text = api_string(*protocol);
    const auto parsed = parse_protocol(text);
    if (!parsed) protocol->fail("unknown protocol \"" + text + "\" (expected TCP, UDP, SCTP)");
    port.protocol = *parsed;
  }
  return port;
}

}  // namespace

std::vector<ContainerPort> read_pod_spec_ports(const Field& pod_spec) {
  std::vector<ContainerPort> ports;
  MapReader spec(pod_spec);  // loose: a pod spec has far more than this needs
  for (const std::string_view key : {"containers", "initContainers"}) {
    const auto containers = spec.optional(key);
    if (!containers) continue;
    for (const Field& container : list_or_empty(*containers)) {
      MapReader container_reader(container);
      const auto container_ports = container_reader.optional("ports");
      if (!container_ports) continue;
      for (const Field& port : list_or_empty(*container_ports)) ports.push_back(read_container_port(port));
    }
  }
  return ports;
}

std::string workload_of(const Metadata& metadata) {
  if (metadata.owners.empty()) return metadata.name;
  const auto& [kind, owner] = metadata.owners.front();
  const auto hash = metadata.labels.find("pod-template-hash");
  if (kind == "ReplicaSet" && hash != metadata.labels.end() && owner.ends_with("-" + hash->second)) {
    return owner.substr(0, owner.size() - hash->second.size() - 1);
  }
  return owner;
}

std::string workload_kind_of(const Metadata& metadata) {
  if (metadata.owners.empty()) return "Pod";
  const auto& [kind, owner] = metadata.owners.front();
  return kind == "ReplicaSet" && workload_of(metadata) != owner ? "Deployment" : kind;
}

std::optional<IpAddress> read_pod_ip(MapReader& object) {
  const auto status = object.optional("status");
  if (!status || is_null(*status)) return std::nullopt;
  MapReader status_reader(*status);
  const auto ip = status_reader.optional("podIP");
  if (!ip || is_null(*ip)) return std::nullopt;
  const std::string text = api_string(*ip);
  const auto address = parse_ip(text);
  if (!address) ip->fail("invalid IP address \"" + text + "\"");
  return address;
}

std::string read_node_name(const Field& pod_spec) {
  if (is_null(pod_spec)) return "";
  MapReader spec(pod_spec);
  const auto node = spec.optional("nodeName");
  return node && !is_null(*node) ? api_string(*node) : "";
}

bool read_host_network(const Field& pod_spec) {
  if (is_null(pod_spec)) return false;
  MapReader spec(pod_spec);
  const auto host_network = spec.optional("hostNetwork");
  return host_network && !is_null(*host_network) && host_network->as_bool();
}

std::string read_service_account(const Field& pod_spec) {
  const YAML::Node& node = pod_spec.node();
  if (!node.IsMap()) return "default";
  for (const char* key : {"serviceAccountName", "serviceAccount"}) {
    if (node[key] && node[key].IsScalar() && !node[key].Scalar().empty()) return node[key].Scalar();
  }
  return "default";
}

}  // namespace netprobe::netpol
