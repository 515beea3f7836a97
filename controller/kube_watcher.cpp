#include "controller/kube_watcher.hpp"

#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/in_flight.hpp"
#include "io/kube_client.hpp"
#include "io/log.hpp"
#include "kube/discovery_store.hpp"
#include "kube/live_cluster.hpp"
#include "kube/service_backends.hpp"

namespace netprobe {

namespace asio = boost::asio;

struct KubeWatcher::State : std::enable_shared_from_this<KubeWatcher::State> {
  State(asio::io_context& io_in, kube::ApiAccess access, std::vector<std::string> iam_annotations,
        kube::DiscoverySettings discovery_settings_in, Analyse analyse_in, std::chrono::milliseconds debounce_in)
      : io(io_in),
        client(std::move(access)),
        live(kube::KeptAnnotations{{"prometheus.io/"}, std::move(iam_annotations)}),
        pods(live.sink(kube::Resource::pods), records.sink(kube::Resource::pods)),
        discovery_settings(std::move(discovery_settings_in)),
        analyse(std::move(analyse_in)),
        debounce(debounce_in),
        timer(io_in) {
    std::random_device seeds;
    for (const kube::Resource resource : kube::kWatchedResources) {
      reflectors.push_back(std::make_unique<kube::Reflector>(resource, kube::ReflectorOptions{},
                                                             (std::uint64_t{seeds()} << 32) | seeds()));
    }
  }

  // Where each resource's objects go: pods to both stores.
  kube::ObjectSink& sink_for(kube::Resource resource) {
    switch (resource) {
      case kube::Resource::pods: return pods;
      case kube::Resource::services:
      case kube::Resource::endpointslices:
      case kube::Resource::nodes:
      case kube::Resource::servicemonitors:
      case kube::Resource::podmonitors: return records.sink(resource);
      default: return live.sink(resource);
    }
  }

  asio::io_context& io;
  KubeClient client;
  kube::LiveCluster live;
  kube::DiscoveryStore records;
  kube::TeeSink pods;
  kube::DiscoverySettings discovery_settings;
  std::shared_ptr<const std::vector<kube::DiscoveredProbe>> discovered;
  std::uint64_t discovered_version = 0;
  bool discovered_once = false;
  std::vector<std::unique_ptr<kube::Reflector>> reflectors;
  Analyse analyse;
  std::chrono::milliseconds debounce;
  asio::steady_timer timer;
  bool armed = false;
  bool stopped = false;
  std::size_t running_loops = 0;
  bool was_synced = false;
  std::uint64_t handed_version = 0;
  bool handed_once = false;
  PathModel path_model;

  bool synced() const {
    return std::all_of(reflectors.begin(), reflectors.end(), [](const auto& reflector) { return reflector->synced(); });
  }

  void hand_off() {
    if (!synced()) return;
    if (!was_synced) {
      was_synced = true;
      log::info("kubernetes: every watched resource is listed", {{"objects", [&] {
                                                                     std::size_t total = 0;
                                                                     for (const auto& r : reflectors) total += r->known_objects();
                                                                     return total;
                                                                   }()}});
    }
    if (!discovered_once || records.version() != discovered_version) {
      discovered_once = true;
      discovered_version = records.version();
      const kube::DiscoveryInput input = records.input();
      discovered = std::make_shared<const std::vector<kube::DiscoveredProbe>>(kube::discover(input, discovery_settings));
      path_model.services = std::make_shared<const std::vector<netpol::ServiceBackends>>(kube::service_backends(input));
    }
    if (handed_once && live.version() == handed_version) return;
    handed_once = true;
    handed_version = live.version();
    path_model.cluster = live.snapshot();
    analyse(path_model.cluster);
  }

  // After any reply: analyse once things settle, at most every `debounce`.
  void changed(const std::shared_ptr<State>& self) {
    if (armed || stopped) return;
    armed = true;
    timer.expires_after(debounce);
    timer.async_wait([weak = std::weak_ptr(self)](const boost::system::error_code& error) {
      const auto state = weak.lock();
      if (!state) return;
      state->armed = false;
      if (error || state->stopped) return;
      state->hand_off();
    });
  }
};

namespace {

// One reflector's loop. It holds the state, so nothing it refers to goes
// before it ends; it ends when stop() stops the client. The state comes as a
// plain pointer and is held by a local, and the callback is a named local:
// GCC 12 destroys a temporary twice when it is a coroutine's by-value
// argument inside a co_await expression (GCC PR 99576), which here released
// the state while loops still ran.
asio::awaitable<void> reflector_loop(KubeWatcher::State* shared, std::size_t index) {
  const std::shared_ptr<KubeWatcher::State> state = shared->shared_from_this();
  const InFlight counted(state->running_loops);
  kube::Reflector& reflector = *state->reflectors[index];
  const StoreChanged changed = [weak = std::weak_ptr(state)] {
    if (const auto locked = weak.lock()) locked->changed(locked);
  };
  co_await run_reflector(state->client, reflector, state->sink_for(reflector.resource()), changed);
}

}  // namespace

KubeWatcher::KubeWatcher(asio::io_context& io, kube::ApiAccess access, std::vector<std::string> iam_annotations,
                         kube::DiscoverySettings discovery, Analyse analyse, std::chrono::milliseconds debounce)
    : state_(std::make_shared<State>(io, std::move(access), std::move(iam_annotations), std::move(discovery),
                                     std::move(analyse), debounce)) {}

KubeWatcher::~KubeWatcher() { stop(); }

void KubeWatcher::start() {
  log::info("kubernetes: watching the API", {{"server", state_->client.access().server_text},
                                              {"credentials", state_->client.access().origin}});
  for (std::size_t i = 0; i < state_->reflectors.size(); ++i) {
    // A loop that throws has stopped watching its resource: say so, never silently.
    asio::co_spawn(state_->io, reflector_loop(state_.get(), i),
                   [resource = std::string(kube::info(state_->reflectors[i]->resource()).name)](std::exception_ptr error) {
                     if (!error) return;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& thrown) {
                       log::error("kubernetes: a watch loop stopped", {{"resource", resource}, {"error", thrown.what()}});
                     }
                   });
  }
}

void KubeWatcher::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->timer.cancel();
  state_->client.stop();
}

bool KubeWatcher::synced() const { return state_->synced(); }

bool KubeWatcher::idle() const { return state_->running_loops == 0; }

void KubeWatcher::reanalyse() {
  state_->handed_once = false;
  state_->changed(state_);
}

void KubeWatcher::set_discovery(const kube::DiscoverySettings& settings) {
  state_->discovery_settings = settings;
  state_->discovered_once = false;
  state_->changed(state_);
}

std::shared_ptr<const std::vector<kube::DiscoveredProbe>> KubeWatcher::discovered() const { return state_->discovered; }

std::vector<kube::NodeRecord> KubeWatcher::nodes() const { return state_->records.nodes(); }

const PathModel& KubeWatcher::path_model() const { return state_->path_model; }

KubeStatus KubeWatcher::status() const {
  KubeStatus status;
  for (const auto& reflector : state_->reflectors) {
    status.push_back(KubeResourceStatus{std::string(kube::info(reflector->resource()).name), reflector->synced(),
                                        reflector->served(), reflector->counters()});
  }
  return status;
}

}  // namespace netprobe
