#include "controller/policy_watcher.hpp"

#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/yaml_reader.hpp"
#include "io/log.hpp"
#include "io/manifest_files.hpp"

namespace netprobe {

namespace asio = boost::asio;

PolicySnapshot analyse_cluster(netpol::IncrementalAnalysis& analysis,
                               std::shared_ptr<const netpol::PartitionedCluster> cluster,
                               const netpol::CheckOptions& checks, TimePoint now) {
  PolicySnapshot snapshot;
  snapshot.enabled = true;
  snapshot.source = "kubernetes";
  snapshot.attempted_at = now;
  snapshot.policies = cluster->policy_count();
  snapshot.pods = cluster->pod_count();
  snapshot.findings = analysis.update(std::move(cluster), checks);
  snapshot.analysed_at = now;
  return snapshot;
}

PolicySnapshot analyse_policies(const PolicyAnalysisConfig& config, const PolicySnapshot& previous, TimePoint now) {
  PolicySnapshot snapshot;
  snapshot.enabled = true;
  snapshot.source = "manifests";
  snapshot.attempted_at = now;
  try {
    std::size_t files = 0;
    for (const std::string& path : config.paths) files += manifest_files(path).size();
    // An emptied ConfigMap or a wrong mount path must not read as "all fixed".
    if (files == 0) throw ManifestPathError("no manifest files (*.yaml, *.yml, *.json) under the configured paths");
    const netpol::Cluster cluster = read_manifest_paths(config.paths);
    snapshot.findings = netpol::run_checks(cluster, config.checks);
    snapshot.analysed_at = now;
    snapshot.policies = cluster.policies.size();
    snapshot.pods = cluster.pods.size();
  } catch (const std::exception& error) {  // ConfigError, ManifestPathError, bad_alloc…
    snapshot.findings = previous.findings;
    snapshot.analysed_at = previous.analysed_at;
    snapshot.policies = previous.policies;
    snapshot.pods = previous.pods;
    snapshot.error = error.what();
  }
  return snapshot;
}

struct PolicyWatcher::State {
  State(asio::io_context& io_in, asio::thread_pool& pool_in) : io(io_in), pool(pool_in), timer(io_in) {}

  asio::io_context& io;
  asio::thread_pool& pool;  // one thread: analyses never overlap
  asio::steady_timer timer;
  PolicyAnalysisConfig config;
  std::shared_ptr<const PolicySnapshot> current = std::make_shared<PolicySnapshot>();
  std::uint64_t generation = 0;  // bumped by configure(); a result of an older config is dropped
  bool running = false;          // an analysis is on the pool thread
  std::chrono::steady_clock::time_point last_start;  // of the latest analysis: the next is interval later
  bool stopped = false;
  // Kubernetes mode: the live cluster waiting for the analysis in progress to end.
  std::shared_ptr<const netpol::PartitionedCluster> waiting;
  netpol::CheckOptions waiting_checks;
  // What the last analysis of the live cluster found, namespace by namespace;
  // used on the pool thread only (one analysis at a time).
  netpol::IncrementalAnalysis incremental;
};

namespace {

using State = std::shared_ptr<PolicyWatcher::State>;
void analyse_now(const State& state);
void analyse_waiting(const State& state);

// At a fixed rate (interval from the start of the last analysis, not its end), so
// a finding's lifetime is a whole number of intervals and alert `for:` durations
// can be reasoned about however long an analysis takes.
void schedule_next(const State& state) {
  if (state->config.paths.empty()) return;  // Kubernetes mode: analysed on changes, not on a timer
  state->timer.expires_at(state->last_start + state->config.interval);
  state->timer.async_wait([weak = std::weak_ptr(state)](const boost::system::error_code& error) {
    const State locked = weak.lock();
    if (error || !locked || locked->stopped) return;
    analyse_now(locked);
  });
}

void finish(const State& state, PolicySnapshot snapshot, std::uint64_t generation) {
  state->running = false;
  if (state->stopped) return;
  if (generation != state->generation) {  // reconfigured meanwhile: analyse the new paths
    analyse_now(state);
    return;
  }
  if (!snapshot.error.empty()) {
    log::warn("policy analysis failed; keeping the last findings", {{"error", snapshot.error}});
  } else if (snapshot.findings.size() != state->current->findings.size() || !state->current->analysed_at) {
    log::info("policy analysis", {{"policies", snapshot.policies},
                                  {"pods", snapshot.pods},
                                  {"findings", snapshot.findings.size()}});
  }
  state->current = std::make_shared<const PolicySnapshot>(std::move(snapshot));
  if (state->waiting) {
    analyse_waiting(state);
    return;
  }
  schedule_next(state);
}

void analyse_waiting(const State& state) {
  if (state->running || state->stopped || !state->waiting) return;
  state->running = true;
  state->last_start = std::chrono::steady_clock::now();
  asio::post(state->pool, [weak = std::weak_ptr(state), cluster = std::exchange(state->waiting, nullptr),
                           checks = state->waiting_checks, generation = state->generation, &io = state->io,
                           &incremental = state->incremental]() mutable {
    PolicySnapshot snapshot = analyse_cluster(incremental, std::move(cluster), checks, std::chrono::system_clock::now());
    asio::post(io, [weak, snapshot = std::move(snapshot), generation]() mutable {
      if (const State locked = weak.lock()) finish(locked, std::move(snapshot), generation);
    });
  });
}

void analyse_now(const State& state) {
  if (state->running || state->stopped || state->config.paths.empty()) return;
  state->running = true;
  state->last_start = std::chrono::steady_clock::now();
  asio::post(state->pool, [weak = std::weak_ptr(state), config = state->config, previous = state->current,
                           generation = state->generation, &io = state->io] {
    PolicySnapshot snapshot = analyse_policies(config, *previous, std::chrono::system_clock::now());
    asio::post(io, [weak, snapshot = std::move(snapshot), generation]() mutable {
      if (const State locked = weak.lock()) finish(locked, std::move(snapshot), generation);
    });
  });
}

}  // namespace

PolicyWatcher::PolicyWatcher(asio::io_context& io)
    : pool_(std::make_unique<asio::thread_pool>(1)), state_(std::make_shared<State>(io, *pool_)) {}

PolicyWatcher::~PolicyWatcher() {
  stop();
  pool_->join();  // an analysis in progress finishes; its result is dropped
}

void PolicyWatcher::configure(const PolicyAnalysisConfig& config) {
  state_->config = config;
  ++state_->generation;
  state_->timer.cancel();
  if (config.paths.empty()) {
    state_->current = std::make_shared<const PolicySnapshot>();
    return;
  }
  analyse_now(state_);  // when one is running, finish() sees the new generation and runs again
}

void PolicyWatcher::analyse(std::shared_ptr<const netpol::PartitionedCluster> cluster,
                            const netpol::CheckOptions& checks) {
  state_->waiting = std::move(cluster);
  state_->waiting_checks = checks;
  analyse_waiting(state_);  // when one is running, finish() takes the waiting cluster next
}

void PolicyWatcher::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

std::shared_ptr<const PolicySnapshot> PolicyWatcher::snapshot() const { return state_->current; }

}  // namespace netprobe
