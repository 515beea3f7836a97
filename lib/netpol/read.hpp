#pragma once
// Reads Kubernetes manifests into the NetworkPolicy model: multi-document YAML
// and `kind: List` (what `kubectl get -o json` prints; JSON is YAML). Errors are
// ConfigError with file:line: field, e.g.
//   policies.yaml:7: spec.podSelector.matchLabels.app: expected a string, found a list
//
// What is read:
//   Namespace                     name and labels
//   Pod                           labels, container ports, status.podIP, owning workload
//   Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob
//                                 one representative pod per workload, named after it,
//                                 with the pod template's labels and ports (no IP)
//   NetworkPolicy (networking.k8s.io/v1)
//                                 strictly: unknown keys and invalid values are errors,
//                                 as the API server would reject them
// Other policy kinds (Calico, Cilium, AdminNetworkPolicy, old apiVersions) are
// recorded in Cluster::ignored; every other kind (Service, ConfigMap, …) is skipped.
#include <string>
#include <string_view>

#include "model.hpp"
#include "core/yaml_reader.hpp"

namespace netprobe::netpol {

// Adds the objects of one manifest text to `cluster`. An object read again
// (same kind, namespace and name) replaces the earlier one, as `kubectl apply` would.
// Objects without metadata.namespace go to `default_namespace`.
void read_manifests(std::string_view text, const std::string& source, Cluster& cluster,
                    const std::string& default_namespace = "default");

Cluster read_manifests(std::string_view text, const std::string& source);

// One object (a live one from the API, turned into YAML by yaml_from_json), read
// as read_manifests reads each document. `source` names it in errors and findings.
void read_object(const Field& object, Cluster& cluster, const std::string& default_namespace = "default");

}  // namespace netprobe::netpol
