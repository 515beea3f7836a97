#pragma once
// What a pod (or a workload's pod template) contributes to the model: its
// container ports, service account, owning workload and IP.
#include <optional>
#include <string>
#include <vector>

#include "read_fields.hpp"

namespace netprobe::netpol {

// Ports of every container and init container of a pod spec.
std::vector<ContainerPort> read_pod_spec_ports(const Field& pod_spec);

// spec.serviceAccountName (or the deprecated spec.serviceAccount), "default" when unset.
std::string read_service_account(const Field& pod_spec);

// The workload a pod belongs to, by its controller owner: a ReplicaSet created by a
// Deployment is named "<deployment>-<pod-template-hash>", so its pods belong to the
// Deployment. A pod without an owner stands for itself.
std::string workload_of(const Metadata& metadata);
// "Deployment", "StatefulSet", …, or "Pod" for a bare pod.
std::string workload_kind_of(const Metadata& metadata);

// spec.nodeName, "" while the pod is not scheduled (and for templates).
std::string read_node_name(const Field& pod_spec);
// spec.hostNetwork; a value that is not true or false is refused.
bool read_host_network(const Field& pod_spec);

// status.podIP, or nullopt while the pod has none.
std::optional<IpAddress> read_pod_ip(MapReader& object);

}  // namespace netprobe::netpol
