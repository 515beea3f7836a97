#include "controller.hpp"

#include <chrono>
#include <csignal>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "controller/alert_pusher.hpp"
#include "controller/api.hpp"
#include "controller/fanout.hpp"
#include "controller/metrics.hpp"
#include "controller/policy_watcher.hpp"
#include "controller/status_page.hpp"
#include "core/alerts.hpp"
#include "core/controller_config.hpp"
#include "core/rate_limit.hpp"
#include "core/version.hpp"
#include "io/http_server.hpp"
#include "io/log.hpp"
#include "io/secrets.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
using SystemClock = std::chrono::system_clock;

constexpr auto kHousekeepingInterval = std::chrono::seconds{1};

}  // namespace

struct Controller::Impl {
  Impl(asio::io_context& io_in, ControllerOptions options_in)
      : io(io_in),
        options(std::move(options_in)),
        store(config.stale_after),
        alerts(config.alertmanager),
        limiter(config.adhoc.rate_per_minute),
        server(io.get_executor(), [this](HttpRequest request) { return handle(std::move(request)); },
               HttpServer::Options{.body_limit = kMaxReportBodyBytes,
                                   .admit = [this](const HttpRequest& head, std::uint64_t length) {
                                     return admit_controller_request(head, length, tokens);
                                   }}),
        signals(io, SIGTERM, SIGINT, SIGHUP),
        housekeeping(io),
        policies(io),
        registry(std::make_shared<prometheus::Registry>()),
        notifications(prometheus::BuildCounter()
                          .Name("netprobe_alertmanager_notifications_total")
                          .Help("Alert batches pushed to Alertmanager, by result.")
                          .Register(*registry)),
        reports(prometheus::BuildCounter()
                    .Name("netprobe_reports_total")
                    .Help("Agent reports received, by result.")
                    .Register(*registry)) {
    notifications.Add({{"result", "success"}});
    notifications.Add({{"result", "failure"}});
    reports.Add({{"result", "accepted"}});
    reports.Add({{"result", "rejected"}});
  }

  asio::io_context& io;
  ControllerOptions options;
  ControllerConfig config;
  ControllerTokens tokens;
  Store store;
  AlertEngine alerts;
  RateLimiter limiter;
  HttpServer server;
  asio::signal_set signals;
  asio::steady_timer housekeeping;
  PolicyWatcher policies;
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& notifications;
  prometheus::Family<prometheus::Counter>& reports;
  bool ready = false;
  bool started = false;  // start() ran: background work may begin
  bool stopping = false;

  ControllerConfig read_config() const {
    if (options.config_path.empty()) return ControllerConfig{};
    return parse_controller_config(read_text_file(options.config_path), options.config_path);
  }

  void apply(ControllerConfig loaded) {
    const bool alerting_changed = loaded.alertmanager.for_duration != config.alertmanager.for_duration ||
                                  loaded.alertmanager.min_failing_nodes != config.alertmanager.min_failing_nodes ||
                                  loaded.alertmanager.resend_interval != config.alertmanager.resend_interval;
    config = std::move(loaded);
    store.set_stale_after(config.stale_after);  // the data stays across reloads
    if (alerting_changed) alerts = AlertEngine(config.alertmanager);
    limiter = RateLimiter(config.adhoc.rate_per_minute);
    if (started) policies.configure(config.policy_analysis);
  }

  asio::awaitable<HttpResponse> handle(HttpRequest request) {
    const TimePoint now = SystemClock::now();
    ControllerRoute route = route_controller_request(request, tokens, config, ready);
    if (auto* response = std::get_if<HttpResponse>(&route)) {
      if (request.path() == "/api/v1/reports") reports.Add({{"result", "rejected"}}).Increment();
      co_return std::move(*response);
    }
    if (auto* accept = std::get_if<AcceptReport>(&route)) {
      const std::size_t accepted = accept->report.results.size();
      store.apply(accept->report, now);
      reports.Add({{"result", "accepted"}}).Increment();
      co_return report_accepted_response(accepted, config);
    }
    if (std::holds_alternative<RenderStatus>(route)) co_return status_response(store.targets(now), store.agents(now));
    if (std::holds_alternative<RenderControllerMetrics>(route)) {
      auto families = controller_metric_families(store.targets(now), store.agents(now),
                                                 static_cast<std::size_t>(config.max_failing_series),
                                                 *policies.snapshot());
      for (auto& family : registry->Collect()) families.push_back(std::move(family));
      HttpResponse response;
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      response.body = render_metrics(std::move(families));
      co_return response;
    }
    if (std::holds_alternative<RenderFindings>(route)) co_return findings_response(*policies.snapshot());
    if (std::holds_alternative<RenderStatusPage>(route)) {
      HttpResponse response;
      response.content_type = "text/html; charset=utf-8";
      response.body = render_status_page(store.targets(now), store.agents(now), *policies.snapshot(), now);
      co_return response;
    }
    co_return co_await run_adhoc(std::get<RunAdhoc>(route), request.remote_address, now);
  }

  asio::awaitable<HttpResponse> run_adhoc(RunAdhoc run, const std::string& client, TimePoint now) {
    if (!limiter.allow(client, std::chrono::steady_clock::now())) {
      co_return error_response(429, "rate_limited",
                               "more than " + std::to_string(config.adhoc.rate_per_minute) + " ad hoc probes a minute");
    }
    std::vector<FanoutTarget> targets;
    if (run.all) {
      for (const AgentView& agent : store.agents(now)) {
        if (agent.state == AgentState::reporting) targets.push_back(FanoutTarget{agent.node, agent.address});
      }
    } else {
      for (const std::string& node : run.nodes) {
        std::string address = store.agent_address(node);
        if (address.empty()) co_return error_response(404, "unknown_node", "no agent has reported from node \"" + node + "\"");
        targets.push_back(FanoutTarget{node, std::move(address)});
      }
    }
    // Agents finish within the probe's timeout; one more second covers the trip.
    const auto deadline = std::chrono::steady_clock::now() + run.spec.timeout + std::chrono::seconds{1};
    const std::size_t asked = targets.size();
    const std::vector<AdhocAnswer> answers = co_await fan_out(run.spec, std::move(targets), tokens.agent, deadline);
    log::info("ad hoc probe", {{"probe", run.spec.name}, {"type", to_string(run.spec.type())}, {"nodes", asked}, {"client", client}});
    co_return adhoc_response(run.spec, answers);
  }

  asio::awaitable<void> push_alerts(std::vector<AlertNotification> batch) {
    for (const PushOutcome& outcome :
         co_await push_to_alertmanagers(config.alertmanager.urls, to_alertmanager_json(batch).dump())) {
      notifications.Add({{"result", outcome.delivered ? "success" : "failure"}}).Increment();
      if (!outcome.delivered) log::warn("alertmanager push failed", {{"url", outcome.url}, {"error", outcome.error}});
    }
  }

  asio::awaitable<void> housekeeping_loop() {
    while (!stopping) {
      housekeeping.expires_after(kHousekeepingInterval);
      co_await housekeeping.async_wait(asio::as_tuple(asio::use_awaitable));
      if (stopping) break;
      const TimePoint now = SystemClock::now();
      store.forget_silent_agents(now);
      std::vector<AlertNotification> batch = alerts.evaluate(store.targets(now), now);
      if (!batch.empty() && !config.alertmanager.urls.empty()) {
        for (const AlertNotification& alert : batch) {
          log::info(alert.resolved ? "alert resolved" : "alert firing", {{"labels", alert.labels}});
        }
        asio::co_spawn(io, push_alerts(std::move(batch)), asio::detached);
      }
    }
  }

  void reload() {
    try {
      ControllerConfig loaded = read_config();
      ControllerTokens loaded_tokens{read_token_file(options.agent_token_file), read_token_file(options.api_token_file)};
      tokens = std::move(loaded_tokens);
      apply(std::move(loaded));
      log::info("config reloaded", {{"config", options.config_path}});
    } catch (const std::exception& error) {
      log::error("config reload rejected; keeping the running config", {{"error", error.what()}});
    }
  }

  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& error, int signal_number) {
      if (error || stopping) return;
      if (signal_number == SIGHUP) {
        reload();
        wait_for_signal();
        return;
      }
      log::info("shutting down");
      stopping = true;
      server.stop();
      housekeeping.cancel();
      policies.stop();
      io.stop();
    });
  }
};

Controller::Controller(asio::io_context& io, ControllerOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}

Controller::~Controller() = default;

void Controller::load() {
  impl_->tokens = ControllerTokens{read_token_file(impl_->options.agent_token_file), read_token_file(impl_->options.api_token_file)};
  ControllerConfig config = impl_->read_config();
  if (impl_->options.listen) config.listen = *impl_->options.listen;
  impl_->apply(std::move(config));
  log::info("config loaded", {{"config", impl_->options.config_path},
                              {"probes", impl_->config.probes.size()},
                              {"alertmanager", impl_->config.alertmanager.urls},
                              {"policy_analysis", impl_->config.policy_analysis.paths}});
}

void Controller::start() {
  impl_->server.listen(impl_->config.listen);
  impl_->server.start();
  impl_->ready = true;
  impl_->started = true;
  impl_->policies.configure(impl_->config.policy_analysis);
  log::info("controller started", {{"version", kVersion},
                                   {"listen", impl_->config.listen},
                                   {"port", impl_->server.port()},
                                   {"reports", impl_->tokens.agent.empty() ? "refused: no --agent-token-file" : "accepted"},
                                   {"adhoc", impl_->tokens.api.empty() ? "refused: no --api-token-file" : "enabled"}});
  asio::co_spawn(impl_->io, impl_->housekeeping_loop(), asio::detached);
  impl_->wait_for_signal();
}

}  // namespace netprobe
