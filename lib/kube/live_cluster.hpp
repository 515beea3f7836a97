#pragma once
// The watched objects NetworkPolicy analysis reads, kept as the model's own
// records (netpol::Namespace, Pod, ServiceAccount, NetworkPolicy) and never as
// whole objects: a pod's status, managed fields and most annotations are
// dropped on arrival, so memory follows the cluster's size, not its verbosity.
//
// Held namespace by namespace (netpol/partitioned.hpp): a snapshot for the
// analysis thread shares every namespace's objects, and a namespace's objects
// are copied before a change only while a snapshot still holds them. So the
// cluster is held once, a snapshot costs a pointer per namespace, and a change
// costs a copy of one namespace at most.
//
// Each object is read by the same reader as `netprobe lint` reads manifests
// (netpol/read), so a live policy and the same policy in a file give the same
// findings. An object that reader refuses is skipped with the reason (the
// reflector counts and logs it), and the store keeps what it held for it.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kube/reflector.hpp"
#include "netpol/partitioned.hpp"

namespace netprobe::kube {

// What analysis needs watched.
inline constexpr std::array kAnalysedResources{
    Resource::namespaces,  Resource::pods,         Resource::serviceaccounts, Resource::networkpolicies,
    Resource::deployments, Resource::statefulsets, Resource::daemonsets,      Resource::cronjobs};

// Annotations worth keeping: Prometheus' scrape hints and the cloud IAM bindings
// the metadata check looks for. Everything else (last-applied-configuration
// holds a whole object) is dropped.
struct KeptAnnotations {
  std::vector<std::string> prefixes{"prometheus.io/"};
  std::vector<std::string> keys;  // e.g. netpol::CheckOptions::iam_annotations
  bool keeps(const std::string& key) const;
};

class LiveCluster {
 public:
  explicit LiveCluster(KeptAnnotations kept = {});
  ~LiveCluster();
  LiveCluster(const LiveCluster&) = delete;
  LiveCluster& operator=(const LiveCluster&) = delete;

  // The store the reflector of `resource` (one of kAnalysedResources) writes to.
  ObjectSink& sink(Resource resource);

  // Everything held, as it is now: unchanged by later changes to the store, so
  // analysis can read it on another thread while the watches go on.
  std::shared_ptr<const netpol::PartitionedCluster> snapshot() const;

  // Bumped by every change, so a caller can tell whether analysis is due.
  std::uint64_t version() const;

  struct Store;
  struct Sinks;

 private:
  std::unique_ptr<Store> store_;
  std::unique_ptr<Sinks> sinks_;
};

}  // namespace netprobe::kube
