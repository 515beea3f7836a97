#pragma once
// What the controller's Kubernetes client has seen of each watched resource,
// for /metrics (netprobe_kubernetes_*) and /readyz. A plain copy, taken when
// asked, so rendering needs no access to the reflectors.
#include <cstdint>
#include <string>
#include <vector>

#include "kube/reflector.hpp"

namespace netprobe {

struct KubeResourceStatus {
  std::string resource;  // "pods", "networkpolicies", …
  bool synced = false;
  bool served = true;
  kube::ReflectorCounters counters;  // malformed counts unreadable objects too
};

// Empty when the controller runs without Kubernetes.
using KubeStatus = std::vector<KubeResourceStatus>;

}  // namespace netprobe
