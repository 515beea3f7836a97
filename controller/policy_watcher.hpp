#pragma once
// Live NetworkPolicy analysis: re-reads the manifests named in the controller's
// `policy_analysis` config every interval and lints them as `netprobe lint`
// does. Reading and checking a large cluster takes seconds (bench/netpol_scale),
// so it runs on a thread of its own and never stalls reports or scrapes; the
// result is handed back to the io_context as an immutable snapshot.
//
// A failed attempt (a manifest half-written, a file gone) keeps the findings of
// the last good analysis and records the error, rather than clearing alerts.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "controller/policy_snapshot.hpp"
#include "core/controller_config.hpp"
#include "netpol/incremental.hpp"

namespace netprobe {

class PolicyWatcher {
 public:
  explicit PolicyWatcher(boost::asio::io_context& io);
  ~PolicyWatcher();
  PolicyWatcher(const PolicyWatcher&) = delete;
  PolicyWatcher& operator=(const PolicyWatcher&) = delete;

  // Starts, restarts (new paths or options: analysed again at once) or stops
  // (no paths) the analysis of manifest files.
  void configure(const PolicyAnalysisConfig& config);
  // Kubernetes mode, instead of files: analyse this cluster (the live objects)
  // now, or as soon as the analysis in progress ends; a newer cluster replaces
  // one still waiting, so a burst of changes costs at most two analyses. Only
  // the namespaces changed since the previous one are checked again
  // (netpol/incremental.hpp).
  void analyse(std::shared_ptr<const netpol::PartitionedCluster> cluster, const netpol::CheckOptions& checks);
  void stop();

  // The latest snapshot; never null.
  std::shared_ptr<const PolicySnapshot> snapshot() const;

  struct State;

 private:
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::shared_ptr<State> state_;
};

// One analysis, synchronously: reads config.paths and runs the checks. On
// failure, `previous`'s findings are kept and `error` is set.
PolicySnapshot analyse_policies(const PolicyAnalysisConfig& config, const PolicySnapshot& previous, TimePoint now);
// The same of live objects, which cannot fail to be read (the unreadable were
// skipped on arrival), checking again only what changed since `analysis`' last.
PolicySnapshot analyse_cluster(netpol::IncrementalAnalysis& analysis,
                               std::shared_ptr<const netpol::PartitionedCluster> cluster,
                               const netpol::CheckOptions& checks, TimePoint now);

}  // namespace netprobe
