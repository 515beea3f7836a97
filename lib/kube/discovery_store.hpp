#pragma once
// The watched Services, EndpointSlices, Pods and Nodes that discovery and the
// nodes-without-agent count read, as their small records (discovery_objects).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kube/discovery.hpp"
#include "kube/live_cluster.hpp"
#include "kube/reflector.hpp"

namespace netprobe::kube {

// What discovery needs watched on top of kAnalysedResources (pods are in both).
inline constexpr std::array kDiscoveryResources{Resource::services, Resource::endpointslices, Resource::nodes,
                                                 Resource::servicemonitors, Resource::podmonitors};

// Everything the controller watches, hence everything its ClusterRole grants
// (manifests/base/controller-rbac.yaml; tests/unit/kube/rbac_test.cpp holds them equal).
inline constexpr std::array kWatchedResources{
    Resource::namespaces,      Resource::pods,        Resource::serviceaccounts, Resource::networkpolicies,
    Resource::services,        Resource::endpointslices, Resource::nodes,     Resource::servicemonitors,
    Resource::podmonitors,     Resource::deployments, Resource::statefulsets, Resource::daemonsets,
    Resource::cronjobs};

class DiscoveryStore {
 public:
  DiscoveryStore();
  ~DiscoveryStore();
  DiscoveryStore(const DiscoveryStore&) = delete;
  DiscoveryStore& operator=(const DiscoveryStore&) = delete;

  // The store of services, endpointslices, nodes, pods, servicemonitors or podmonitors.
  ObjectSink& sink(Resource resource);

  DiscoveryInput input() const;
  std::vector<NodeRecord> nodes() const;
  std::uint64_t version() const { return version_; }

  struct Sinks;

 private:
  std::unique_ptr<Sinks> sinks_;
  std::uint64_t version_ = 0;
};

// One reflector's objects to two stores (pods: the policy model and discovery).
// Refused by either is refused; what the other took stays taken.
class TeeSink final : public ObjectSink {
 public:
  TeeSink(ObjectSink& first, ObjectSink& second) : first_(first), second_(second) {}
  std::optional<std::string> upsert(const ObjectKey& key, const nlohmann::json& object) override;
  void remove(const ObjectKey& key) override;

 private:
  ObjectSink& first_;
  ObjectSink& second_;
};

}  // namespace netprobe::kube
