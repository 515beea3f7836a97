#include "agent.hpp"

#include <chrono>

#include <csignal>
#include <cstdlib>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agent/api.hpp"
#include "agent/metrics.hpp"
#include "agent/reporter.hpp"
#include "agent/probers/run_checks.hpp"
#include "agent/scheduler.hpp"
#include "core/in_flight.hpp"
#include "core/url.hpp"
#include "core/version.hpp"
#include "io/dns_channels.hpp"
#include "io/dns_client.hpp"
#include "io/daemon_flags.hpp"
#include "io/drain.hpp"
#include "io/http_server.hpp"
#include "io/log.hpp"
#include "io/secrets.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxConcurrentOneShots = 16;
constexpr auto kShutdownBudget = std::chrono::milliseconds{1800};

AgentConfig read_agent_config(const AgentOptions& options) {
  if (options.config_path.empty()) return AgentConfig{};
  return parse_agent_config(read_text_file(options.config_path), options.config_path);
}

// The flags that stand in for config keys, checked as the file's keys are.
void check_flags(const AgentOptions& options) {
  for (const std::string& url : options.controllers) {
    UrlError error;
    if (!parse_http_url(url, &error)) {
      throw std::runtime_error("--controller: invalid controller URL \"" + url + "\": " + error.message);
    }
  }
  if (options.listen) check_listen_address("--listen", *options.listen);
}

}  // namespace

struct Agent::Impl {
  Impl(asio::io_context& io_in, AgentOptions options_in)
      : io(io_in),
        options(std::move(options_in)),
        metrics(options.identity, std::string(kVersion)),
        scheduler(
            io.get_executor(), [this](const Check& check) { return run_check(check, env, options.identity); },
            options.identity.node, [this](const ProbeResult& result) { on_result(result); },
            [this](const Check& check) { metrics.skipped(check); }),
        server(io.get_executor(), [this](HttpRequest request) { return handle(std::move(request)); },
               HttpServer::Options{.admit = [this](const HttpRequest& head) { return admit_agent_request(head, token); },
                                   .on_refused = nullptr}),
        reporter(
            io.get_executor(), ReporterOptions{}, [this](const ControllerReply& reply) { on_reply(reply); },
            [this](const std::string& controller, ReportDelivery delivery) { metrics.report_sent(controller, delivery); }),
        signals(io, SIGTERM, SIGINT, SIGHUP) {
    env.dns_channels = std::make_unique<DnsChannelPool>(io.get_executor());
  }

  asio::io_context& io;
  AgentOptions options;
  AgentConfig config;
  std::string token;
  ProbeEnv env;
  AgentMetrics metrics;
  Scheduler scheduler;
  HttpServer server;
  Reporter reporter;
  asio::signal_set signals;
  std::vector<std::shared_ptr<const ProbeSpec>> assigned;  // from the controllers' replies
  std::optional<AdhocConfig> handed_adhoc;                 // likewise
  std::size_t one_shots_in_flight = 0;
  bool shutting_down = false;

  AgentConfig read_config() const { return read_agent_config(options); }

  std::vector<Check> checks_of(const AgentConfig& loaded) const {
    const std::vector<Endpoint> system = system_nameservers();
    std::vector<Check> checks;
    for (const auto& probe : loaded.probes) {
      auto expanded = expand_checks(probe, system);
      if (expanded.empty()) {
        log::warn("probe has no targets", {{"probe", probe->name}, {"reason", "servers: [auto] but /etc/resolv.conf lists no nameserver"}});
      }
      for (Check& check : expanded) checks.push_back(std::move(check));
    }
    return checks;
  }

  // The probes to run: the config file's, then those the controllers assign
  // (a local probe wins over an assigned one of the same name).
  void reschedule() {
    std::vector<Check> checks = checks_of(with_assigned_probes(config, assigned));
    std::vector<CheckKey> keys;
    for (const Check& check : checks) keys.push_back(key_of(check));
    metrics.set_checks(checks);
    reporter.retain_only(keys);
    log::info("probes scheduled", {{"local", config.probes.size()}, {"assigned", assigned.size()}, {"checks", checks.size()}});
    scheduler.start(std::move(checks));
  }

  std::string advertise_address() const {
    if (!options.advertise.empty()) return options.advertise;
    if (const char* pod_ip = std::getenv("POD_IP"); pod_ip != nullptr && *pod_ip != '\0') {
      return Endpoint{pod_ip, server.port()}.to_string();
    }
    // A specific listen address is reachable as it is; a wildcard one is only
    // known to work from this host.
    auto listen = parse_listen_address(config.listen);
    const bool wildcard = !listen || listen->host == "0.0.0.0" || listen->host == "::";
    return Endpoint{wildcard ? "127.0.0.1" : listen->host, server.port()}.to_string();
  }

  void apply(AgentConfig loaded) {
    config = std::move(loaded);
    if (!options.controllers.empty()) config.controllers = options.controllers;
    log::info("config loaded", {{"config", options.config_path}, {"probes", config.probes.size()}, {"controllers", config.controllers}});
    reschedule();
    metrics.set_controllers(config.controllers);
    reporter.reconfigure(ReporterOptions{config.controllers, token, options.identity.node, options.identity.ns,
                                         advertise_address(), config.defaults.interval, config.defaults});
  }

  void on_reply(const ControllerReply& reply) {
    handed_adhoc = reply.adhoc;
    if (reply.assignment.empty() && reply.probes.empty() && assigned.empty()) return;
    assigned = reply.probes;
    reschedule();
  }

  // The rules one-shot probes are held to: this agent's own, else its controller's.
  const AdhocConfig& adhoc_rules() const {
    static const AdhocConfig defaults;
    if (config.adhoc) return *config.adhoc;
    return handed_adhoc ? *handed_adhoc : defaults;
  }

  void on_result(const ProbeResult& result) {
    metrics.record(result);
    reporter.record(result);
    if (!result.success && log::enabled(LogLevel::debug)) log::debug("probe failed", to_json(result));
  }

  asio::awaitable<HttpResponse> handle(HttpRequest request) {
    AgentRoute route = route_agent_request(request, token, config.defaults, adhoc_rules());
    if (auto* response = std::get_if<HttpResponse>(&route)) co_return std::move(*response);
    if (std::holds_alternative<RenderMetrics>(route)) {
      HttpResponse response;
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      response.body_pieces = metrics.render_pieces();  // metrics outlive the server's sessions
      co_return response;
    }
    if (one_shots_in_flight >= kMaxConcurrentOneShots) {
      co_return error_response(429, "too_many_requests", "too many one-shot probes in flight");
    }
    const InFlight counted(one_shots_in_flight);
    auto spec = std::make_shared<const ProbeSpec>(std::move(std::get<RunProbe>(route).spec));
    std::vector<Check> checks = expand_checks(spec, system_nameservers());
    const auto allowed = std::make_shared<const Allowlist>(adhoc_rules().allowlist);
    for (Check& check : checks) check.allowed_addresses = allowed;
    const std::vector<ProbeResult> results = co_await run_checks(std::move(checks), env, options.identity);
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    const bool abandoned = cancellation.cancelled() != asio::cancellation_type::none;
    log::info(abandoned ? "one-shot probe abandoned: its client left" : "one-shot probe",
              {{"probe", spec->name}, {"type", to_string(spec->type())}, {"remote", request.remote_address},
               {"checks", results.size()}});
    co_return probe_results_response(results);
  }

  void reload() {
    try {
      AgentConfig loaded = read_config();
      const std::string new_token = read_token_file(options.token_file);
      if (!options.listen && loaded.listen != config.listen) {
        log::warn("listen address changed; restart the agent to apply it", {{"listen", loaded.listen}});
      }
      token = new_token;
      apply(std::move(loaded));
      metrics.config_reloaded(true);
    } catch (const std::exception& error) {
      metrics.config_reloaded(false);
      log::error("config reload rejected; keeping the running config", {{"error", error.what()}});
    }
  }

  asio::awaitable<void> shutdown() {
    shutting_down = true;
    log::info("shutting down", {{"in_flight", scheduler.in_flight()}});
    server.stop();
    scheduler.stop();
    reporter.stop();
    boost::system::error_code ignored;
    signals.cancel(ignored);
    // In-flight runs end on their own deadlines; wait for them, but never
    // past the budget Kubernetes' grace period and our promise allow.
    co_await drain(
        io.get_executor(), [this] { return scheduler.in_flight() == 0 && one_shots_in_flight == 0; }, kShutdownBudget);
    log::info("stopped", {{"abandoned", scheduler.in_flight() + one_shots_in_flight}});
    io.stop();
  }

  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& error, int signal_number) {
      if (error || shutting_down) return;
      if (signal_number == SIGHUP) {
        log::info("SIGHUP: reloading config", {{"config", options.config_path}});
        reload();
        wait_for_signal();
        return;
      }
      asio::co_spawn(io, shutdown(), asio::detached);
    });
  }
};

Agent::Agent(asio::io_context& io, AgentOptions options) : impl_(std::make_unique<Impl>(io, std::move(options))) {}

Agent::~Agent() = default;

void Agent::load() {
  check_flags(impl_->options);
  impl_->token = read_token_file(impl_->options.token_file);
  impl_->config = impl_->read_config();
  if (impl_->options.listen) impl_->config.listen = *impl_->options.listen;
}

std::size_t Agent::check_config(const AgentOptions& options) {
  check_flags(options);
  const AgentConfig config = read_agent_config(options);
  if (!options.listen) check_listen_address(options.config_path + ": listen", config.listen);
  return config.probes.size();
}

void Agent::start() {
  impl_->server.listen(impl_->config.listen);
  impl_->server.start();
  log::info("agent started", {{"version", kVersion},
                              {"listen", impl_->config.listen},
                              {"port", impl_->server.port()},
                              {"node", impl_->options.identity.node},
                              {"namespace", impl_->options.identity.ns},
                              {"one_shot_probes", impl_->token.empty() ? "disabled" : "enabled"}});
  impl_->apply(impl_->config);
  impl_->wait_for_signal();
}

}  // namespace netprobe
