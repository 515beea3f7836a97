#pragma once
// The Kubernetes resources the controller watches, and where the API serves
// them. Optional ones come from CRDs that may not be installed: a 404 means
// "not here (yet)", and the reflector looks again later.
#include <array>
#include <cstddef>
#include <string_view>

namespace netprobe::kube {

enum class Resource {
  namespaces,
  pods,
  services,
  endpointslices,
  nodes,
  serviceaccounts,
  networkpolicies,
  servicemonitors,
  podmonitors,
  deployments,
  statefulsets,
  daemonsets,
  cronjobs,
};

struct ResourceInfo {
  Resource value;
  std::string_view name;  // the plural, as in metric labels and RBAC rules
  std::string_view path;  // cluster-wide collection path
  std::string_view kind;
  bool namespaced;
  bool optional;  // served only when a CRD is installed
};

inline constexpr std::array kResources{
    ResourceInfo{Resource::namespaces, "namespaces", "/api/v1/namespaces", "Namespace", false, false},
    ResourceInfo{Resource::pods, "pods", "/api/v1/pods", "Pod", true, false},
    ResourceInfo{Resource::services, "services", "/api/v1/services", "Service", true, false},
    ResourceInfo{Resource::endpointslices, "endpointslices", "/apis/discovery.k8s.io/v1/endpointslices",
                 "EndpointSlice", true, false},
    ResourceInfo{Resource::nodes, "nodes", "/api/v1/nodes", "Node", false, false},
    ResourceInfo{Resource::serviceaccounts, "serviceaccounts", "/api/v1/serviceaccounts", "ServiceAccount", true,
                 false},
    ResourceInfo{Resource::networkpolicies, "networkpolicies", "/apis/networking.k8s.io/v1/networkpolicies",
                 "NetworkPolicy", true, false},
    ResourceInfo{Resource::servicemonitors, "servicemonitors", "/apis/monitoring.coreos.com/v1/servicemonitors",
                 "ServiceMonitor", true, true},
    ResourceInfo{Resource::podmonitors, "podmonitors", "/apis/monitoring.coreos.com/v1/podmonitors", "PodMonitor",
                 true, true},
    // Workloads, for their pod templates: one scaled to zero still has policies meant for it.
    ResourceInfo{Resource::deployments, "deployments", "/apis/apps/v1/deployments", "Deployment", true, false},
    ResourceInfo{Resource::statefulsets, "statefulsets", "/apis/apps/v1/statefulsets", "StatefulSet", true, false},
    ResourceInfo{Resource::daemonsets, "daemonsets", "/apis/apps/v1/daemonsets", "DaemonSet", true, false},
    ResourceInfo{Resource::cronjobs, "cronjobs", "/apis/batch/v1/cronjobs", "CronJob", true, false},
};

// "v1" for the core group, else "group/version", from the collection path.
constexpr std::string_view api_version(const ResourceInfo& resource) {
  const std::string_view path = resource.path;
  if (path.starts_with("/api/")) return "v1";
  const std::string_view rest = path.substr(6);  // after "/apis/"
  return rest.substr(0, rest.find('/', rest.find('/') + 1));
}

constexpr const ResourceInfo& info(Resource resource) { return kResources[static_cast<std::size_t>(resource)]; }

// The table is indexed by the enum: a row out of order does not compile.
constexpr bool resources_in_order() {
  for (std::size_t i = 0; i < kResources.size(); ++i) {
    if (static_cast<std::size_t>(kResources[i].value) != i) return false;
  }
  return true;
}
static_assert(resources_in_order());

}  // namespace netprobe::kube
