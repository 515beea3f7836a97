#pragma once
// Fills in what the live policies say of every failing entry of the store's
// views (netpol/attribution), for /api/v1/status, /metrics, the pushed alerts
// and the status page. An entry's attribution is kept while what decides it
// stays: the same (probe, target, transport, node, namespace, outcome, address
// the agent advertises) and the same live model. So it is computed again when the policies,
// the pods or the results change, not on every report or scrape; entries that
// stop failing are dropped, so the cache is as large as the failures.
// A derived-deny probe that connects where the model admits the path (the
// policy meant to close it selects nothing) is told by what it was derived
// for: "payments/payment-ingress is meant to isolate …, and monitoring
// reaches it on 8080/TCP now".
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/store.hpp"
#include "netpol/attribution.hpp"
#include "netpol/derived_probes.hpp"

namespace netprobe {

// What attribution reads of the cluster, as of the watcher's last hand-off.
// Both null while the watched resources are still being listed.
struct PathModel {
  std::shared_ptr<const netpol::PartitionedCluster> cluster;
  std::shared_ptr<const std::vector<netpol::ServiceBackends>> services;
  std::shared_ptr<const std::vector<netpol::DerivedDenyProbe>> derived;  // null: none handed out (controller/deny_deriver)
};

class PathExplainer {
 public:
  // `model` null: no Kubernetes API; every failing entry is unknown, saying so.
  // `agents` in (node, namespace) order, as Store::agents gives them.
  void annotate(std::vector<TargetView>& targets, const std::vector<AgentView>& agents, const PathModel* model,
                const netpol::CheckOptions& options);

  // Attributions computed so far (cache hits do not count): for tests and logs.
  std::uint64_t computed() const { return computed_; }

 private:
  // A connected derived-deny probe the model admits: what it was derived for.
  void tell_derived(const TargetView& target, const std::vector<netpol::FailingSource>& sources,
                    std::vector<PolicyAttribution>& explained) const;

  PathModel model_;
  bool kubernetes_ = false;
  netpol::CheckOptions options_;
  std::unique_ptr<netpol::PathAttributor> attributor_;  // over model_ and options_, made when first needed
  std::unordered_map<std::string, const netpol::DerivedDenyProbe*> derived_by_target_;  // into model_.derived
  // Keyed by what decides an attribution; looked up by string_view, so a hit builds no string.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  struct Cached {
    std::shared_ptr<const PolicyAttribution> attribution;
    std::uint64_t seen = 0;  // the last annotate() that found the entry failing; older ones are dropped
  };
  std::unordered_map<std::string, Cached, KeyHash, std::equal_to<>> cache_;
  std::uint64_t generation_ = 0;
  std::uint64_t computed_ = 0;
};

}  // namespace netprobe
