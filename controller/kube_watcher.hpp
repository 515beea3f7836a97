#pragma once
// Kubernetes mode: a reflector for each watched resource, the stores they fill
// (the policy model, discovery's records), the hand-off of the live cluster to
// the analysis and the discovered probes, at most every `debounce` and only
// once every resource has synced, so a burst of changes (a namespace's
// policies applied together) is analysed once.
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "controller/kube_status.hpp"
#include "controller/path_explainer.hpp"
#include "kube/discovery.hpp"
#include "kube/kubeconfig.hpp"
#include "netpol/partitioned.hpp"

namespace netprobe {

class KubeWatcher {
 public:
  using Analyse = std::function<void(std::shared_ptr<const netpol::PartitionedCluster>)>;

  // Throws std::runtime_error when the TLS settings or the token cannot be read.
  KubeWatcher(boost::asio::io_context& io, kube::ApiAccess access, std::vector<std::string> iam_annotations,
              kube::DiscoverySettings discovery, Analyse analyse,
              std::chrono::milliseconds debounce = std::chrono::milliseconds{250});
  ~KubeWatcher();
  KubeWatcher(const KubeWatcher&) = delete;
  KubeWatcher& operator=(const KubeWatcher&) = delete;

  void start();
  // Cancels every watch and list; they end within a few turns of the io_context.
  void stop();
  // Every reflector loop has ended (after stop(): the io_context may stop now,
  // with nothing left that refers to this watcher).
  bool idle() const;

  // Every watched resource has been listed once.
  bool synced() const;
  KubeStatus status() const;
  // Hand the live cluster to the analysis again (its options changed on a reload).
  void reanalyse();
  void set_discovery(const kube::DiscoverySettings& settings);

  // The probes discovered from the watched objects; null until every resource
  // is listed (nothing is handed out before the first sync). A new vector on
  // every change, so a caller can tell by the pointer.
  std::shared_ptr<const std::vector<kube::DiscoveredProbe>> discovered() const;
  std::vector<kube::NodeRecord> nodes() const;
  // The live objects and Services as last handed to the analysis, for policy
  // attribution; both null until every resource is listed.
  const PathModel& path_model() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace netprobe
