#include "reporter.hpp"

#include <map>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "core/url.hpp"
#include "core/version.hpp"
#include "io/dns_client.hpp"
#include "io/http_client.hpp"
#include "io/log.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using CheckKey = std::tuple<std::string, std::string, std::string>;

constexpr auto kChangeDebounce = std::chrono::milliseconds{200};  // batch changes seen together
constexpr auto kRequestTimeout = std::chrono::seconds{5};
constexpr auto kMaxBackoff = std::chrono::seconds{30};

// One controller URL: its last good addresses and its retry state.
struct Destination {
  std::string url;
  HttpUrl parsed;
  std::vector<std::string> last_good_addresses;
  Clock::duration backoff{};
  Clock::time_point next_attempt{};
};

}  // namespace

struct Reporter::State : std::enable_shared_from_this<Reporter::State> {
  State(asio::any_io_executor executor_in, ReporterOptions options_in, AssignmentSink on_assignment_in)
      : executor(std::move(executor_in)), options(std::move(options_in)), on_assignment(std::move(on_assignment_in)),
        wake(executor) {
    set_destinations();
  }

  asio::any_io_executor executor;
  ReporterOptions options;
  AssignmentSink on_assignment;
  asio::steady_timer wake;
  std::vector<Destination> destinations;
  std::map<CheckKey, ProbeResult> latest;
  std::map<CheckKey, ProbeResult> changed;  // since the last report
  bool stopped = true;
  std::string last_assignment;

  void set_destinations() {
    destinations.clear();
    for (const std::string& url : options.controllers) {
      if (auto parsed = parse_http_url(url)) destinations.push_back(Destination{url, *parsed, {}, {}, {}});
    }
  }

  AgentReport make_report(bool full) {
    AgentReport report;
    report.node = options.node;
    report.ns = options.ns;
    report.address = options.advertise;
    report.version = std::string(kVersion);
    report.interval = options.interval;
    report.full = full;
    for (const auto& [key, result] : full ? latest : changed) report.results.push_back(result);
    return report;
  }

  // The addresses to report to now: fresh from DNS, or the last that worked.
  asio::awaitable<std::vector<std::string>> addresses_of(Destination& destination) {
    const HostAddresses resolved = co_await resolve_host(destination.parsed.host, Millis{2'000});
    if (resolved.error.empty() && !resolved.addresses.empty()) {
      std::vector<std::string> addresses;
      for (const auto& address : resolved.addresses) addresses.push_back(address.to_string());
      co_return addresses;
    }
    if (!destination.last_good_addresses.empty()) {
      log::warn("cannot resolve the controller; reporting to its last known addresses",
                {{"controller", destination.url}, {"error", resolved.error}});
    }
    co_return destination.last_good_addresses;
  }

  asio::awaitable<bool> send(Destination& destination, const std::string& address, const std::string& body) {
    ClientRequest request;
    request.host = address;
    request.port = destination.parsed.port;
    request.tls = destination.parsed.tls;
    request.host_header = destination.parsed.host_header;
    request.method = "POST";
    request.target = (destination.parsed.target == "/" ? std::string() : destination.parsed.target) + "/api/v1/reports";
    request.headers = {{"Authorization", "Bearer " + options.token}, {"Content-Type", "application/json"}};
    request.body = body;
    ClientOptions client_options;
    client_options.deadline = Clock::now() + kRequestTimeout;
    client_options.body_limit = 1 << 20;
    const ClientExchange exchange = co_await http_exchange(request, client_options);
    if (!exchange.answered() || exchange.reply.status != 200) {
      log::warn("report not accepted", {{"controller", destination.url}, {"address", address},
                                        {"error", exchange.answered() ? "status " + std::to_string(exchange.reply.status) + ": " + exchange.reply.body
                                                                      : describe_failure(request, exchange)}});
      co_return false;
    }
    const auto reply = nlohmann::json::parse(exchange.reply.body, nullptr, false);
    if (reply.is_object() && reply.contains("probes") && reply["probes"].is_array()) {
      const std::string assignment = reply["probes"].dump();
      if (assignment != last_assignment) {
        last_assignment = assignment;
        on_assignment(reply["probes"]);
      }
    }
    co_return true;
  }

  asio::awaitable<void> report_to_all(const AgentReport& report) {
    const std::string body = json_text(report_to_json(report));
    const auto now = Clock::now();
    for (Destination& destination : destinations) {
      // A controller that failed gets no early reports until its backoff has
      // passed, but always the full report of each interval: that is the load
      // it takes when healthy, and a restarted controller is whole again
      // within one interval instead of one backoff.
      if (!report.full && now < destination.next_attempt) continue;
      const std::vector<std::string> addresses = co_await addresses_of(destination);
      bool all_ok = !addresses.empty();
      std::vector<std::string> good;
      for (const std::string& address : addresses) {
        if (co_await send(destination, address, body)) {
          good.push_back(address);
        } else {
          all_ok = false;
        }
      }
      if (!good.empty()) destination.last_good_addresses = good;
      if (all_ok) {
        destination.backoff = {};
        destination.next_attempt = {};
      } else {
        destination.backoff = std::min<Clock::duration>(
            destination.backoff == Clock::duration{} ? std::chrono::seconds{1} : destination.backoff * 2, kMaxBackoff);
        destination.next_attempt = Clock::now() + destination.backoff;
      }
    }
  }

  asio::awaitable<void> loop() {
    auto self = shared_from_this();
    auto next_full = Clock::now();
    while (!stopped) {
      const bool full_due = Clock::now() >= next_full;
      if (full_due || !changed.empty()) {
        // Taken before sending: changes that arrive while we send go in the next report.
        const AgentReport report = make_report(full_due);
        changed.clear();
        if (full_due) next_full = Clock::now() + options.interval;
        co_await report_to_all(report);
      }
      if (stopped) break;
      if (changed.empty()) {
        wake.expires_at(next_full);
        co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      if (!changed.empty()) {  // woken by a change: gather what changes with it
        wake.expires_after(kChangeDebounce);
        co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    }
  }
};

Reporter::Reporter(asio::any_io_executor executor, ReporterOptions options, AssignmentSink on_assignment)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), std::move(on_assignment))) {}

Reporter::~Reporter() { stop(); }

void Reporter::start() {
  if (!state_->stopped || state_->destinations.empty()) return;
  state_->stopped = false;
  asio::co_spawn(state_->executor, state_->loop(), asio::detached);
}

void Reporter::stop() {
  state_->stopped = true;
  state_->wake.cancel();
}

void Reporter::reconfigure(ReporterOptions options) {
  state_->options = std::move(options);
  state_->set_destinations();
  if (state_->stopped) start();
}

void Reporter::record(const ProbeResult& result) {
  CheckKey key{result.probe, result.target, result.transport};
  auto previous = state_->latest.find(key);
  const bool changed = previous == state_->latest.end() || previous->second.outcome != result.outcome;
  state_->latest[key] = result;
  if (changed) {
    state_->changed[key] = result;
    state_->wake.cancel();  // report now instead of at the next interval
  }
}

void Reporter::retain_only(const std::vector<CheckKey>& keys) {
  const std::set<CheckKey> keep(keys.begin(), keys.end());
  std::erase_if(state_->latest, [&](const auto& item) { return !keep.contains(item.first); });
  std::erase_if(state_->changed, [&](const auto& item) { return !keep.contains(item.first); });
}

}  // namespace netprobe
