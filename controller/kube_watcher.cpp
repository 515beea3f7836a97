#include "controller/kube_watcher.hpp"

#include <random>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "io/kube_client.hpp"
#include "io/log.hpp"
#include "kube/live_cluster.hpp"

namespace netprobe {

namespace asio = boost::asio;

struct KubeWatcher::State {
  State(asio::io_context& io_in, kube::ApiAccess access, std::vector<std::string> iam_annotations, Analyse analyse_in,
        std::chrono::milliseconds debounce_in)
      : io(io_in),
        client(std::move(access)),
        live(kube::KeptAnnotations{{"prometheus.io/"}, std::move(iam_annotations)}),
        analyse(std::move(analyse_in)),
        debounce(debounce_in),
        timer(io_in) {
    std::random_device seeds;
    for (const kube::Resource resource : kube::kAnalysedResources) {
      reflectors.push_back(std::make_unique<kube::Reflector>(resource, kube::ReflectorOptions{},
                                                             (std::uint64_t{seeds()} << 32) | seeds()));
    }
  }

  asio::io_context& io;
  KubeClient client;
  kube::LiveCluster live;
  std::vector<std::unique_ptr<kube::Reflector>> reflectors;
  std::vector<asio::cancellation_signal> stops{kube::kAnalysedResources.size()};
  Analyse analyse;
  std::chrono::milliseconds debounce;
  asio::steady_timer timer;
  bool armed = false;
  bool stopped = false;
  bool was_synced = false;
  std::uint64_t handed_version = 0;
  bool handed_once = false;

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
    if (handed_once && live.version() == handed_version) return;
    handed_once = true;
    handed_version = live.version();
    analyse(std::make_shared<const netpol::Cluster>(live.cluster()));
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

KubeWatcher::KubeWatcher(asio::io_context& io, kube::ApiAccess access, std::vector<std::string> iam_annotations,
                         Analyse analyse, std::chrono::milliseconds debounce)
    : state_(std::make_shared<State>(io, std::move(access), std::move(iam_annotations), std::move(analyse), debounce)) {}

KubeWatcher::~KubeWatcher() { stop(); }

void KubeWatcher::start() {
  log::info("kubernetes: watching the API", {{"server", state_->client.access().server_text},
                                              {"credentials", state_->client.access().origin}});
  for (std::size_t i = 0; i < state_->reflectors.size(); ++i) {
    // Each loop holds the state, so nothing it refers to goes before it ends.
    auto loop = [](std::shared_ptr<State> state, std::size_t index) -> asio::awaitable<void> {
      kube::Reflector& reflector = *state->reflectors[index];
      co_await run_reflector(state->client, reflector, state->live.sink(reflector.resource()),
                             [weak = std::weak_ptr(state)] {
                               if (const auto locked = weak.lock()) locked->changed(locked);
                             });
    };
    asio::co_spawn(state_->io, loop(state_, i), asio::bind_cancellation_slot(state_->stops[i].slot(), asio::detached));
  }
}

void KubeWatcher::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->timer.cancel();
  for (asio::cancellation_signal& stop : state_->stops) stop.emit(asio::cancellation_type::terminal);
}

bool KubeWatcher::synced() const { return state_->synced(); }

void KubeWatcher::reanalyse() {
  state_->handed_once = false;
  state_->changed(state_);
}

KubeStatus KubeWatcher::status() const {
  KubeStatus status;
  for (const auto& reflector : state_->reflectors) {
    status.push_back(KubeResourceStatus{std::string(kube::info(reflector->resource()).name), reflector->synced(),
                                        reflector->served(), reflector->counters()});
  }
  return status;
}

}  // namespace netprobe
