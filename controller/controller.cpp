#include "controller.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "controller/alert_pusher.hpp"
#include "controller/api.hpp"
#include "controller/deny_deriver.hpp"
#include "controller/fanout.hpp"
#include "controller/kube_watcher.hpp"
#include "controller/metrics.hpp"
#include "controller/path_explainer.hpp"
#include "controller/policy_watcher.hpp"
#include "controller/status_page.hpp"
#include "controller/status_view.hpp"
#include "core/alerts.hpp"
#include "core/controller_config.hpp"
#include "core/in_flight.hpp"
#include "core/log_throttle.hpp"
#include "core/rate_limit.hpp"
#include "core/version.hpp"
#include "io/drain.hpp"
#include "io/http_server.hpp"
#include "io/log.hpp"
#include "io/daemon_flags.hpp"
#include "io/secrets.hpp"
#include "kube/derived_discovery.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
using SystemClock = std::chrono::system_clock;

constexpr auto kHousekeepingInterval = std::chrono::seconds{1};
// Within the pod's terminationGracePeriodSeconds (10 in manifests/base).
constexpr auto kShutdownBudget = std::chrono::seconds{8};

// The two tokens guard different powers (every node holds the agent token;
// the API token runs probes from every node), so one secret for both is refused.
// The paths alone (no token is read): --check-config makes this check too.
void check_token_paths(const std::string& agent_file, const std::string& api_file) {
  std::error_code ignored;
  if (!agent_file.empty() && !api_file.empty() &&
      (agent_file == api_file || std::filesystem::equivalent(agent_file, api_file, ignored))) {
    throw std::runtime_error("--agent-token-file and --api-token-file name the same file (" + agent_file +
                             "): every node would hold the API token");
  }
}

ControllerTokens read_controller_tokens(const std::string& agent_file, const std::string& api_file) {
  ControllerTokens tokens{read_token_file(agent_file), read_token_file(api_file)};
  check_token_paths(agent_file, api_file);
  if (!tokens.agent.empty() && tokens.agent == tokens.api) {
    throw std::runtime_error("the agent token and the API token are the same: every node would hold the API token");
  }
  return tokens;
}

// Where the Kubernetes API is, as kubectl would look (--kubeconfig, then
// $KUBECONFIG, whose first file is used), then as a pod would (its service
// account); nullopt when neither: the controller runs without Kubernetes.
std::optional<kube::ApiAccess> find_kube_access(const ControllerOptions& options) {
  std::string path = options.kubeconfig;
  if (path.empty()) {
    if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
      path = std::string(env).substr(0, std::string(env).find(':'));
    }
  }
  if (!path.empty()) return kube::read_kubeconfig(read_text_file(path), path, options.kube_context);
  return kube::in_cluster_access(std::getenv("KUBERNETES_SERVICE_HOST"), std::getenv("KUBERNETES_SERVICE_PORT"));
}

ControllerConfig read_controller_config(const ControllerOptions& options) {
  if (options.config_path.empty()) return ControllerConfig{};
  return parse_controller_config(read_text_file(options.config_path), options.config_path);
}

}  // namespace

struct Controller::Impl {
  Impl(asio::io_context& io_in, ControllerOptions options_in)
      : io(io_in),
        options(std::move(options_in)),
        store(config.stale_after),
        alerts(config.alertmanager),
        limiter(config.adhoc.rate_per_minute),
        signals(io, SIGTERM, SIGINT, SIGHUP),
        housekeeping(io),
        policies(io) {}

  asio::io_context& io;
  ControllerOptions options;
  ControllerConfig config;
  ControllerTokens tokens;
  Store store;
  AlertEngine alerts;
  RateLimiter limiter;
  std::optional<HttpServer> server;  // made in start(), with the limits of the loaded config
  asio::signal_set signals;
  asio::steady_timer housekeeping;
  PolicyWatcher policies;
  std::unique_ptr<KubeWatcher> kube;  // Kubernetes mode: live policies instead of policy_analysis.paths
  kube::Assignment assignment;        // Kubernetes mode: discovered probes, by agent
  std::shared_ptr<const std::vector<kube::DiscoveredProbe>> assigned_from;  // found, then derived
  std::shared_ptr<const std::vector<kube::DiscoveredProbe>> assigned_discovered;
  DenyDeriver::Probes assigned_derived;
  std::vector<std::string> assigned_agents;
  DenyDeriver deriver;
  std::vector<std::string> missing_nodes;  // Ready, schedulable nodes without a reporting agent
  ControllerCounters counters;
  PathExplainer explainer;
  LogThrottle unauthorized_reports{std::chrono::minutes{1}};
  LogThrottle limited_reports{std::chrono::minutes{1}};
  bool ready = false;
  bool started = false;  // start() ran: background work may begin
  bool stopping = false;
  std::size_t pushes_in_flight = 0;

  ControllerConfig read_config() const { return read_controller_config(options); }

  void apply(ControllerConfig loaded) {
    const bool alerting_changed = loaded.alertmanager.for_duration != config.alertmanager.for_duration ||
                                  loaded.alertmanager.min_failing_nodes != config.alertmanager.min_failing_nodes ||
                                  loaded.alertmanager.resend_interval != config.alertmanager.resend_interval;
    config = std::move(loaded);
    store.set_stale_after(config.stale_after);  // the data stays across reloads
    store.set_limits(StoreLimits{config.limits.max_agents, config.limits.max_checks, config.limits.max_results_per_agent});
    if (alerting_changed) alerts = AlertEngine(config.alertmanager);
    limiter = RateLimiter(config.adhoc.rate_per_minute);
    if (!started) return;
    if (kube) {
      kube->reanalyse();  // the checks' options may have changed
      kube->set_discovery(config.discovery);
    } else {
      policies.configure(config.policy_analysis);
    }
  }

  // The discovered probes and who runs them, recomputed when discovery finds
  // something new or the set of reporting agents changes (housekeeping, every second).
  // The probes found in the cluster, then those derived from its policies
  // (derived again only when what they come from changes: deny_deriver.hpp).
  void update_assignment(TimePoint now) {
    if (!kube) return;
    const auto discovered = kube->discovered();
    std::vector<AgentView> reporting;
    std::vector<std::string> namespaces;
    for (AgentView& agent : store.agents(now)) {
      if (agent.state != AgentState::reporting) continue;
      namespaces.push_back(agent.ns);
      reporting.push_back(std::move(agent));
    }
    // A tie (a one-node cluster with a sentinel) goes to the namespace the agents' DaemonSet runs in.
    const auto runs_daemonset = [model = kube->path_model().cluster](const std::string& ns) {
      if (!model) return false;
      const auto objects = model->objects.find(ns);
      return objects != model->objects.end() &&
             std::any_of(objects->second->pods.begin(), objects->second->pods.end(),
                         [](const auto& entry) { return entry.second.workload_kind == "DaemonSet"; });
    };
    std::string agents_namespace = kube::agents_namespace(namespaces, runs_daemonset);
    std::erase_if(reporting, [&](const AgentView& agent) { return agent.ns != agents_namespace; });  // not the sentinels
    deriver.update(kube->path_model(), discovered, reporting, config.discovery);
    std::vector<std::string> agents;
    for (const AgentView& agent : reporting) agents.push_back(agent.node);  // agents come sorted by node
    missing_nodes = kube::nodes_without_agent(kube->nodes(), agents);
    if (discovered == assigned_discovered && deriver.probes() == assigned_derived && agents == assigned_agents &&
        agents_namespace == assignment.agents_namespace) {
      return;
    }
    assigned_discovered = discovered;
    assigned_derived = deriver.probes();
    assigned_agents = std::move(agents);
    if (!discovered) {
      assigned_from.reset();
      assignment = kube::Assignment{};
      assignment.agents_namespace = std::move(agents_namespace);
      return;
    }
    auto probes = std::make_shared<std::vector<kube::DiscoveredProbe>>(*discovered);
    if (assigned_derived) {
      for (kube::DiscoveredProbe& probe : kube::derived_deny_discovery(*assigned_derived, config.discovery)) {
        probes->push_back(std::move(probe));
      }
    }
    assigned_from = std::move(probes);
    assignment = kube::assign(*assigned_from, assigned_agents, config.discovery.scrape_agents, std::move(agents_namespace));
  }

  // The store's targets, each failing entry with what the live policies say of it.
  std::vector<TargetView> targets(TimePoint now, const std::vector<AgentView>& agents) {
    std::vector<TargetView> views = store.targets(now);
    if (!config.policy_analysis.attribution) return views;
    if (!kube) {
      explainer.annotate(views, agents, nullptr, config.policy_analysis.checks);
      return views;
    }
    PathModel model = kube->path_model();
    model.derived = assigned_derived;
    explainer.annotate(views, agents, &model, config.policy_analysis.checks);
    return views;
  }

  // Ready once serving and, with Kubernetes, once every watched resource is listed.
  bool is_ready() const { return ready && (!kube || kube->synced()); }

  HttpServer::Options server_options() {
    return HttpServer::Options{
        .max_connections = config.limits.max_connections,
        .max_connections_per_client = config.limits.max_connections_per_client,
        .body_memory = config.limits.body_memory,
        .admit = [this](const HttpRequest& head) { return admit_controller_request(head, tokens); },
        .on_refused = [this](const HttpRequest& head, int status) { count_refused_report(head, status); }};
  }

  // Reports the server refused on their head are counted, and a wrong token
  // logged once a minute (a misconfigured fleet sends thousands).
  void count_refused_report(const HttpRequest& head, int status) {
    if (head.path() != "/api/v1/reports") return;
    counters.count(status == 401   ? ReportResult::unauthorized
                   : status == 413 ? ReportResult::too_large
                   : status == 503 ? ReportResult::busy
                                   : ReportResult::rejected);
    if (status != 401) return;
    if (auto left_out = unauthorized_reports.admit(std::chrono::steady_clock::now())) {
      log::warn("report refused: missing or wrong agent token",
                {{"client", head.remote_address}, {"left_out", *left_out}});
    }
  }

  HttpResponse accept_report(const AcceptReport& accept, const std::string& client, TimePoint now) {
    const ApplyResult applied = store.apply(accept.report, now, client, accept.advertised);
    if (applied.agent_refused) {
      counters.count(ReportResult::limited);
      counters.count(ReportRejection::agents);
      if (auto left_out = limited_reports.admit(std::chrono::steady_clock::now())) {
        log::warn("report refused: limits.max_agents reached", {{"node", accept.report.node}, {"client", client},
                                                                {"max_agents", config.limits.max_agents}, {"left_out", *left_out}});
      }
      return error_response(429, "too_many_agents",
                            "the controller holds limits.max_agents (" + std::to_string(config.limits.max_agents) + ") agents");
    }
    counters.count(ReportResult::accepted);
    if (applied.over_check_cap > 0) counters.count(ReportRejection::checks);
    if (applied.over_agent_cap > 0) counters.count(ReportRejection::agent_results);
    if (!accept.address_refused.empty()) counters.count(ReportRejection::address);
    if (applied.conflict_detected) {
      ++counters.identity_conflicts;
      log::warn("identity conflict: two live agents report as one node",
                {{"node", accept.report.node}, {"namespace", accept.report.ns}, {"client", client}});
    }
    return report_accepted_response(applied, config, assignment.for_agent(accept.report.node, accept.report.ns));
  }

  asio::awaitable<HttpResponse> handle(HttpRequest request) {
    const TimePoint now = SystemClock::now();
    ControllerRoute route = route_controller_request(request, tokens, config, is_ready());
    if (auto* response = std::get_if<HttpResponse>(&route)) {
      if (request.path() == "/api/v1/reports") counters.count(ReportResult::rejected);
      co_return std::move(*response);
    }
    if (auto* accept = std::get_if<AcceptReport>(&route)) co_return accept_report(*accept, request.remote_address, now);
    if (const auto* status = std::get_if<RenderStatus>(&route)) {
      std::vector<AgentView> agents = store.agents(now);
      if (status->node.empty()) co_return status_response(targets(now, agents), agents, kube ? &missing_nodes : nullptr);
      std::vector<TargetView> seen = targets_seen_from(targets(now, agents), store.matrix(now), status->node);
      std::erase_if(agents, [&](const AgentView& agent) { return agent.node != status->node; });
      if (agents.empty()) co_return error_response(404, "unknown_node", "no agent has reported from node \"" + status->node + "\"");
      co_return status_response(seen, agents, nullptr);
    }
    if (std::holds_alternative<RenderDiscovery>(route)) {
      co_return discovery_response(kube != nullptr, kube && kube->synced(), assigned_from.get(), assignment,
                                   deriver.derived_from(), missing_nodes);
    }
    if (std::holds_alternative<RenderControllerMetrics>(route)) {
      HttpResponse response;
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      const std::vector<AgentView> agents = store.agents(now);
      std::optional<KubeMetrics> kubernetes;
      if (kube) kubernetes = KubeMetrics{kube->status(), missing_nodes.size(), assigned_derived};
      response.body = render_controller_metrics(targets(now, agents), agents,
                                                static_cast<std::size_t>(config.max_failing_series),
                                                *policies.snapshot(), counters, kubernetes ? &*kubernetes : nullptr);
      co_return response;
    }
    if (const auto* findings = std::get_if<RenderFindings>(&route)) {
      co_return findings_response(*policies.snapshot(), findings->ns);
    }
    if (const auto* page = std::get_if<RenderStatusPage>(&route)) {
      const std::vector<AgentView> agents = store.agents(now);
      const std::vector<TargetView> views = targets(now, agents);
      const OutcomeMatrix matrix = store.matrix(now);
      RenderedPage rendered = render_status_page(
          StatusPageInput{views, matrix, agents, *policies.snapshot(), kube ? &missing_nodes : nullptr, now}, page->query);
      HttpResponse response;
      response.status = rendered.status;
      response.content_type = "text/html; charset=utf-8";
      response.body = std::move(rendered.body);
      response.headers = kStatusPageHeaders;
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
        if (agent.state == AgentState::reporting) run.nodes.push_back(agent.node);
      }
      run.nodes.erase(std::unique(run.nodes.begin(), run.nodes.end()), run.nodes.end());  // agents come sorted by node
    }
    for (const std::string& node : run.nodes) {
      AgentRoute route = store.route_to(node, now);
      if (!run.all && route.unusable.starts_with("no agent")) co_return error_response(404, "unknown_node", route.unusable);
      targets.push_back(FanoutTarget{node, std::move(route.address), std::move(route.unusable)});
    }
    // Agents finish within the probe's timeout; one more second covers the trip.
    const auto deadline = std::chrono::steady_clock::now() + run.spec.timeout + std::chrono::seconds{1};
    const std::size_t asked = targets.size();
    const std::vector<AdhocAnswer> answers = co_await fan_out(run.spec, std::move(targets), tokens.agent, deadline);
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    const bool abandoned = cancellation.cancelled() != asio::cancellation_type::none;
    log::info(abandoned ? "ad hoc probe abandoned: its client left" : "ad hoc probe",
              {{"probe", run.spec.name}, {"type", to_string(run.spec.type())}, {"nodes", asked}, {"client", client}});
    co_return adhoc_response(run.spec, answers);
  }

  asio::awaitable<void> push_alerts(std::vector<AlertNotification> batch) {
    const InFlight counted(pushes_in_flight);
    batch = cap_push(std::move(batch), config.alertmanager.max_alerts_per_push, SystemClock::now(), alerts.lease());
    for (const PushOutcome& outcome :
         co_await push_to_alertmanagers(config.alertmanager.urls, to_alertmanager_json(batch).dump())) {
      counters.alert_push(outcome.delivered);
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
      update_assignment(now);
      std::vector<AlertNotification> batch = alerts.evaluate(targets(now, store.agents(now)), now);
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
      ControllerTokens loaded_tokens = read_controller_tokens(options.agent_token_file, options.api_token_file);
      tokens = std::move(loaded_tokens);
      apply(std::move(loaded));
      counters.reloaded(true);
      log::info("config reloaded", {{"config", options.config_path}});
    } catch (const std::exception& error) {
      counters.reloaded(false);
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
      asio::co_spawn(io, shutdown(), asio::detached);
    });
  }

  // As the agent does: stop taking work, let what is in progress (an ad hoc
  // fan-out, a report, an Alertmanager push carrying a resolution) finish,
  // within a budget that fits the pod's termination grace period.
  asio::awaitable<void> shutdown() {
    stopping = true;
    log::info("shutting down", {{"open_connections", server->open_connections()}, {"pushes", pushes_in_flight}});
    server->stop();
    housekeeping.cancel();
    policies.stop();
    if (kube) kube->stop();
    boost::system::error_code ignored;
    signals.cancel(ignored);
    co_await drain(
        io.get_executor(),
        [this] { return server->open_connections() == 0 && pushes_in_flight == 0 && (!kube || kube->idle()); },
        kShutdownBudget);
    log::info("stopped", {{"abandoned_connections", server->open_connections()}, {"abandoned_pushes", pushes_in_flight}});
    io.stop();
  }
};

Controller::Controller(asio::io_context& io, ControllerOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}

Controller::~Controller() = default;

void Controller::load() {
  impl_->tokens = read_controller_tokens(impl_->options.agent_token_file, impl_->options.api_token_file);
  ControllerConfig config = impl_->read_config();
  if (impl_->options.listen) config.listen = *impl_->options.listen;
  impl_->apply(std::move(config));
  if (std::optional<kube::ApiAccess> access = find_kube_access(impl_->options)) {
    Impl* impl = impl_.get();
    impl_->kube = std::make_unique<KubeWatcher>(
        impl_->io, std::move(*access), impl_->config.policy_analysis.checks.iam_annotations, impl_->config.discovery,
        [impl](std::shared_ptr<const netpol::PartitionedCluster> cluster) {
          impl->policies.analyse(std::move(cluster), impl->config.policy_analysis.checks);
        });
    if (!impl_->config.policy_analysis.paths.empty()) {
      log::warn("kubernetes: policy_analysis.paths is not read; the live objects are analysed instead",
                {{"paths", impl_->config.policy_analysis.paths}});
    }
  } else {
    log::info("kubernetes: not configured (no --kubeconfig, $KUBECONFIG or in-cluster service account); "
              "policies come from policy_analysis.paths",
              {{"paths", impl_->config.policy_analysis.paths}});
  }
  log::info("config loaded", {{"config", impl_->options.config_path},
                              {"probes", impl_->config.probes.size()},
                              {"alertmanager", impl_->config.alertmanager.urls},
                              {"policy_analysis", impl_->config.policy_analysis.paths}});
}

std::size_t Controller::check_config(const ControllerOptions& options) {
  check_token_paths(options.agent_token_file, options.api_token_file);
  if (options.listen) check_listen_address("--listen", *options.listen);
  const ControllerConfig config = read_controller_config(options);
  if (!options.listen) check_listen_address(options.config_path + ": listen", config.listen);
  return config.probes.size();
}

void Controller::start() {
  impl_->server.emplace(impl_->io.get_executor(), [impl = impl_.get()](HttpRequest request) { return impl->handle(std::move(request)); },
                        impl_->server_options());
  impl_->server->listen(impl_->config.listen);
  impl_->server->start();
  impl_->ready = true;
  impl_->started = true;
  if (impl_->kube) impl_->kube->start();
  else impl_->policies.configure(impl_->config.policy_analysis);
  log::info("controller started", {{"version", kVersion},
                                   {"listen", impl_->config.listen},
                                   {"port", impl_->server->port()},
                                   {"reports", impl_->tokens.agent.empty() ? "refused: no --agent-token-file" : "accepted"},
                                   {"adhoc", impl_->tokens.api.empty() ? "refused: no --api-token-file" : "enabled"}});
  asio::co_spawn(impl_->io, impl_->housekeeping_loop(), asio::detached);
  impl_->wait_for_signal();
}

}  // namespace netprobe
