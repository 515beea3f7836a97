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
#include "core/report_pacing.hpp"
#include "core/url.hpp"
#include "core/version.hpp"
#include "io/dns_client.hpp"
#include "io/gather.hpp"
#include "io/http_client.hpp"
#include "io/log.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kRequestTimeout = std::chrono::seconds{5};
constexpr Millis kResolveTimeout{2'000};
constexpr std::size_t kReplyLimit = 1 << 20;

// One controller URL: its last good addresses and its retry state.
struct Destination {
  std::string url;
  HttpUrl parsed;
  std::vector<std::string> last_good_addresses;
  ReportBackoff backoff;
};

}  // namespace

struct Reporter::State : std::enable_shared_from_this<Reporter::State> {
  State(asio::any_io_executor executor_in, ReporterOptions options_in, ReplySink on_reply_in,
        DeliverySink on_delivery_in)
      : executor(std::move(executor_in)),
        options(std::move(options_in)),
        on_reply(std::move(on_reply_in)),
        on_delivery(std::move(on_delivery_in)),
        wake(executor),
        pacing(options.interval) {
    set_destinations();
  }

  asio::any_io_executor executor;
  ReporterOptions options;
  ReplySink on_reply;
  DeliverySink on_delivery;
  asio::steady_timer wake;
  ReportPacing pacing;
  std::vector<std::shared_ptr<Destination>> destinations;
  // std::less<>: record() finds a result's entry by views of its strings (key_ref_of).
  std::map<CheckKey, ProbeResult, std::less<>> latest;
  std::map<CheckKey, ProbeResult, std::less<>> changed;  // since the last report
  bool stopped = true;
  std::string last_reply;  // the assignment and rules last handed on

  // Keeps the state (last good addresses, backoff) of URLs that stay configured.
  void set_destinations() {
    std::vector<std::shared_ptr<Destination>> kept;
    for (const std::string& url : options.controllers) {
      auto parsed = parse_http_url(url);
      if (!parsed) continue;  // refused at start and on reload (agent_config, Agent::load)
      auto same = std::find_if(destinations.begin(), destinations.end(), [&](const auto& d) { return d->url == url; });
      kept.push_back(same != destinations.end() ? *same : std::make_shared<Destination>(Destination{url, *parsed, {}, {}}));
    }
    destinations = std::move(kept);
    pacing.set_interval(options.interval);
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
    const HostAddresses resolved = co_await resolve_host(destination.parsed.host, kResolveTimeout);
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

  void take_reply(const Destination& destination, const std::string& body) {
    try {
      ControllerReply reply = read_controller_reply(body, options.defaults);
      for (const std::string& skipped : reply.skipped) {
        log::warn("ignoring an assigned probe", {{"controller", destination.url}, {"error", skipped}});
      }
      const std::string fingerprint = reply.assignment + (reply.adhoc ? json_text(adhoc_to_json(*reply.adhoc)) : "");
      if (fingerprint == last_reply) return;
      last_reply = fingerprint;
      on_reply(reply);
    } catch (const FieldError& error) {
      log::warn("ignoring a malformed controller reply", {{"controller", destination.url}, {"error", error.what()}});
    }
  }

  // One report to one address; true when accepted. Holds the destination
  // alive: a reload may drop it while the request is out.
  asio::awaitable<bool> send(std::shared_ptr<Destination> destination, std::string address,
                             std::shared_ptr<const std::string> body) {
    auto self = shared_from_this();
    ClientRequest request = request_under(destination->parsed, "POST", "/api/v1/reports");
    request.host = address;  // this replica; the Host header still names the URL's host
    add_bearer_token(request, options.token);
    set_json_body(request, *body);
    ClientOptions client_options;
    client_options.deadline = Clock::now() + kRequestTimeout;
    client_options.body_limit = kReplyLimit;
    const ClientExchange exchange = co_await http_exchange(request, client_options);
    if (!exchange.answered() || exchange.reply.status != 200) {
      on_delivery(destination->url, exchange.answered() ? ReportDelivery::rejected : ReportDelivery::failed);
      log::warn("report not accepted",
                {{"controller", destination->url}, {"address", address},
                 {"error", exchange.answered() ? "status " + std::to_string(exchange.reply.status) + ": " +
                                                     exchange.reply.body.substr(0, 512)
                                               : describe_failure(request, exchange)}});
      co_return false;
    }
    on_delivery(destination->url, ReportDelivery::accepted);
    take_reply(*destination, exchange.reply.body);
    co_return true;
  }

  // Every address of one controller URL at once.
  asio::awaitable<bool> report_to(std::shared_ptr<Destination> destination, std::shared_ptr<const std::string> body) {
    auto self = shared_from_this();
    const std::vector<std::string> addresses = co_await addresses_of(*destination);
    std::vector<asio::awaitable<bool>> sends;
    for (const std::string& address : addresses) sends.push_back(send(destination, address, body));
    const std::vector<bool> delivered = co_await gather(std::move(sends));
    std::vector<std::string> good;
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      if (delivered[i]) good.push_back(addresses[i]);
    }
    if (!good.empty()) destination->last_good_addresses = good;
    const bool all_ok = !addresses.empty() && good.size() == addresses.size();
    if (all_ok) {
      destination->backoff.succeeded();
    } else {
      destination->backoff.failed(Clock::now());
    }
    co_return all_ok;
  }

  asio::awaitable<void> report_to_all(const AgentReport& report) {
    const auto body = std::make_shared<const std::string>(json_text(report_to_json(report)));
    const auto now = Clock::now();
    std::vector<asio::awaitable<bool>> reports;
    for (const auto& destination : destinations) {
      if (!report.full && destination->backoff.holds_back(now)) continue;
      reports.push_back(report_to(destination, body));
    }
    co_await gather(std::move(reports));
  }

  asio::awaitable<void> loop() {
    auto self = shared_from_this();
    pacing.start(Clock::now());
    while (!stopped) {
      const auto now = Clock::now();
      const ReportPacing::Kind kind = pacing.due(now);
      if (kind == ReportPacing::Kind::none) {
        wake.expires_at(pacing.next_wake());
        co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      // Taken before sending: changes that arrive while we send go in the next report.
      const AgentReport report = make_report(kind == ReportPacing::Kind::full);
      changed.clear();
      pacing.sent(kind, now);
      co_await report_to_all(report);
    }
  }
};

Reporter::Reporter(asio::any_io_executor executor, ReporterOptions options, ReplySink on_reply,
                   DeliverySink on_delivery)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), std::move(on_reply),
                                     std::move(on_delivery))) {}

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

namespace {

// map[key_of(result)] = result, copying the key only when the entry is new.
void store(std::map<CheckKey, ProbeResult, std::less<>>& results, const ProbeResult& result) {
  if (auto found = results.find(key_ref_of(result)); found != results.end()) {
    found->second = result;
  } else {
    results.emplace(key_of(result), result);
  }
}

}  // namespace

void Reporter::record(const ProbeResult& result) {
  auto previous = state_->latest.find(key_ref_of(result));
  const bool changed = previous == state_->latest.end() || previous->second.outcome != result.outcome;
  store(state_->latest, result);
  if (changed) {
    store(state_->changed, result);
    state_->pacing.changed(Clock::now());
    state_->wake.cancel();  // wake up to schedule the early report
  }
}

void Reporter::retain_only(const std::vector<CheckKey>& keys) {
  const std::set<CheckKey> keep(keys.begin(), keys.end());
  std::erase_if(state_->latest, [&](const auto& item) { return !keep.contains(item.first); });
  std::erase_if(state_->changed, [&](const auto& item) { return !keep.contains(item.first); });
}

}  // namespace netprobe
