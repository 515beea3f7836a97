#pragma once
// Kubernetes mode: a reflector for each resource policy analysis reads, the
// live store they fill, and the hand-off of the live cluster to the analysis,
// at most every `debounce` and only once every resource has synced, so a burst
// of changes (a namespace's policies applied together) is analysed once.
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "controller/kube_status.hpp"
#include "kube/kubeconfig.hpp"
#include "netpol/model.hpp"

namespace netprobe {

class KubeWatcher {
 public:
  using Analyse = std::function<void(std::shared_ptr<const netpol::Cluster>)>;

  // Throws std::runtime_error when the TLS settings or the token cannot be read.
  KubeWatcher(boost::asio::io_context& io, kube::ApiAccess access, std::vector<std::string> iam_annotations,
              Analyse analyse, std::chrono::milliseconds debounce = std::chrono::milliseconds{250});
  ~KubeWatcher();
  KubeWatcher(const KubeWatcher&) = delete;
  KubeWatcher& operator=(const KubeWatcher&) = delete;

  void start();
  void stop();

  // Every watched resource has been listed once.
  bool synced() const;
  KubeStatus status() const;
  // Hand the live cluster to the analysis again (its options changed on a reload).
  void reanalyse();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace netprobe
