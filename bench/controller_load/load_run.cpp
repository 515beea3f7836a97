#include "load_run.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "connection_pool.hpp"
#include "core/endpoint.hpp"
#include "core/http_message.hpp"
#include "io/http_client.hpp"
#include "io/http_server.hpp"
#include "io/log.hpp"
#include "proc_reading.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace netprobe::bench {
namespace {

struct Sample {
  Clock::time_point done;
  double latency_ms = 0;  // request sent -> reply read (what the agent waits for)
  double lag_ms = 0;      // scheduled -> sent: how far the generator fell behind (0 if it kept up)
  bool ok = false;
};

struct MetricsGet {
  double wall_ms = 0;
  double cpu_ms = 0;  // the controller's CPU during the GET (schedstat)
  std::size_t bytes = 0;
  std::size_t series = 0;
  int status = 0;
  std::string error;  // empty: answered
};

struct Fanout {
  bool ran = false;
  std::string mode;  // "nodes" or "all"
  std::size_t asked = 0;
  double wall_s = 0;
  int status = 0;
  std::size_t total = 0, success = 0, unreachable = 0;
  std::string error;
};

class LoadRun {
 public:
  LoadRun(asio::io_context& io, Options options)
      : io_(io), options_(std::move(options)), workload_(options_) {
    const auto endpoint = parse_endpoint(options_.controller);
    if (!endpoint || !is_loopback_v4(endpoint->host)) {
      throw std::runtime_error("--controller must be an IPv4 loopback address 127.x.y.z:port (network safety)");
    }
    controller_ = *endpoint;
    if (options_.keepalive > 0) {
      pool_ = std::make_unique<ConnectionPool>(
          io_.get_executor(), tcp::endpoint(asio::ip::make_address_v4(controller_.host), controller_.port),
          controller_.to_string(), options_.keepalive);
    }
    authorization_ = "Bearer " + options_.agent_token;
    measure_thread_ = std::thread([this] { measure_io_.run(); });
  }

  ~LoadRun() {
    measure_work_.reset();
    measure_io_.stop();
    measure_thread_.join();
  }
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Binds the synthetic agents' API on 127.0.X.Y:P (X from 10): P is the same on every address.
  void listen_agents() {
    std::string last_error;
    for (int attempt = 0; attempt < 20; ++attempt) {
      const std::uint16_t port = options_.agent_port != 0
                                     ? options_.agent_port
                                     : static_cast<std::uint16_t>(20000 + mix(static_cast<std::uint64_t>(getpid()) * 131 +
                                                                              static_cast<std::uint64_t>(attempt)) % 12000);
      try {
        for (std::size_t i = 0; i < options_.listening; ++i) {
          // Like an agent: only POST /api/v1/probe takes a body, of one probe.
          auto server = std::make_unique<HttpServer>(
              io_.get_executor(), [this, i](HttpRequest request) { return answer_probe(i, std::move(request)); },
              HttpServer::Options{.admit = [](const HttpRequest& head) {
                                    return Admission{std::nullopt, head.method == "POST" ? std::size_t{64 << 10} : 0};
                                  },
                                  .on_refused = nullptr});
          server->listen(listening_host(i) + ":" + std::to_string(port));
          servers_.push_back(std::move(server));
        }
        agent_port_ = port;
        for (auto& server : servers_) server->start();
        return;
      } catch (const std::exception& error) {
        for (auto& server : servers_) server->stop();
        servers_.clear();
        if (options_.agent_port != 0) throw;
        last_error = error.what();
      }
    }
    throw std::runtime_error("found no port free on all " + std::to_string(options_.listening) +
                             " agent addresses (last: " + last_error + ")");
  }

  asio::awaitable<void> run() {
    t0_ = Clock::now();
    window_start_ = t0_ + options_.interval;
    window_end_ = t0_ + options_.duration - tail();
    const auto end = t0_ + options_.duration;

    asio::co_spawn(io_, schedule(end), asio::detached);
    asio::co_spawn(io_, prometheus_scrapes(), asio::detached);

    co_await sleep_until(window_start_);
    start_reading_ = read_proc(options_.controller_pid);
    co_await sleep_until(window_end_);
    end_reading_ = read_proc(options_.controller_pid);
    self_cpu_window_ = self_cpu() - self_cpu_at_start_;

    // While the reports go on: /metrics GETs, timed; then the ad hoc fan-outs.
    co_await sleep_for(std::chrono::milliseconds{500});
    for (int i = 0; i < options_.metrics_gets; ++i) {
      metrics_gets_.push_back(co_await timed_metrics_get());
      co_await sleep_for(std::chrono::milliseconds{200});
    }
    std::vector<std::string> nodes;
    for (std::size_t i = 0; i < options_.listening; ++i) nodes.push_back(Workload::node_name(i));
    if (!nodes.empty()) fanout_nodes_ = co_await fanout(nodes);
    co_await sleep_for(std::chrono::milliseconds{500});
    if (options_.fanout_all) fanout_all_ = co_await fanout({});

    co_await sleep_until(end);
    // The last reports: each is bounded by its own deadline.
    const auto give_up = Clock::now() + kRequestTimeout + std::chrono::seconds{2};
    while (in_flight_ > 0 && Clock::now() < give_up) co_await sleep_for(std::chrono::milliseconds{50});
    final_reading_ = read_proc(options_.controller_pid);
    for (auto& server : servers_) server->stop();
    finished_ = true;
    io_.stop();
  }

  bool finished() const { return finished_; }
  int report(std::ostream& out) const;

 private:
  Millis tail() const { return Millis{10'000}; }

  static std::string listening_host(std::size_t i) {
    return "127.0." + std::to_string(10 + i / 250) + "." + std::to_string(1 + i % 250);
  }
  // Agents beyond --listening-agents advertise an address nobody listens on (refused at once):
  // agents that went away, as far as an `all: true` fan-out can tell.
  std::string advertised(std::size_t i) const {
    if (i < options_.listening) return listening_host(i) + ":" + std::to_string(agent_port_);
    return "127.1." + std::to_string(i / 250 % 250) + "." + std::to_string(1 + i % 250) + ":" +
           std::to_string(agent_port_);
  }

  static double self_cpu() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }

  asio::awaitable<void> sleep_until(Clock::time_point when) {
    asio::steady_timer timer(io_, when);
    co_await timer.async_wait(kTuple);
  }
  asio::awaitable<void> sleep_for(Clock::duration d) { co_await sleep_until(Clock::now() + d); }

  // Every agent once per interval, agent i at offset i/N of it.
  asio::awaitable<void> schedule(Clock::time_point end) {
    self_cpu_at_start_ = self_cpu();
    const auto step = std::chrono::duration_cast<Clock::duration>(options_.interval) / static_cast<long>(options_.agents);
    for (std::uint64_t round = 0;; ++round) {
      for (std::size_t i = 0; i < options_.agents; ++i) {
        const auto due = t0_ + std::chrono::duration_cast<Clock::duration>(options_.interval) * static_cast<long>(round) +
                         step * static_cast<long>(i);
        if (due >= end) co_return;
        if (Clock::now() < due) co_await sleep_until(due);
        ++in_flight_;
        asio::co_spawn(io_, send_report(i, round, due), asio::detached);
      }
    }
  }

  asio::awaitable<void> send_report(std::size_t agent, std::uint64_t round, Clock::time_point due) {
    const std::string body = report_to_json(workload_.report(agent, round, advertised(agent))).dump();
    const auto start = Clock::now();
    const auto deadline = start + kRequestTimeout;
    Sample sample;
    if (pool_) {
      const PostReply reply = co_await pool_->post("/api/v1/reports", authorization_, body, deadline);
      sample.ok = reply.answered && reply.status == 200;
      if (!sample.ok) note_error(reply.answered ? "status " + std::to_string(reply.status) : reply.error);
    } else {
      ClientRequest request = request_to(controller_, "POST", "/api/v1/reports");
      add_bearer_token(request, options_.agent_token);
      set_json_body(request, body);
      ClientOptions client_options;
      client_options.deadline = deadline;
      client_options.body_limit = 1 << 20;
      const ClientExchange exchange = co_await http_exchange(request, client_options);
      sample.ok = exchange.answered() && exchange.reply.status == 200;
      if (!sample.ok) {
        note_error(exchange.answered() ? "status " + std::to_string(exchange.reply.status) + ": " + exchange.reply.body
                                       : describe_failure(request, exchange));
      }
    }
    sample.done = Clock::now();
    sample.latency_ms = millis(sample.done - start);
    sample.lag_ms = millis(start - due);
    samples_.push_back(sample);
    --in_flight_;
  }

  void note_error(const std::string& error) {
    if (errors_.size() < 5) errors_.push_back(error);
  }

  // As Prometheus would: a scrape every --scrape-interval within the steady window. Their CPU
  // is counted in the window and also measured on its own, so the figure without them is known.
  asio::awaitable<void> prometheus_scrapes() {
    if (options_.scrape_interval.count() == 0) co_return;
    for (auto at = window_start_ + options_.scrape_interval; at + std::chrono::seconds{1} < window_end_;
         at += options_.scrape_interval) {
      co_await sleep_until(at);
      window_scrapes_.push_back(co_await timed_metrics_get());
    }
  }

  // A GET /metrics on the measuring thread: at 20,000 agents the generator's
  // own loop is busy all the time, and reading 4 MiB on it timed the generator's
  // queue as much as the controller.
  asio::awaitable<MetricsGet> timed_metrics_get() {
    MetricsGet get = co_await asio::co_spawn(measure_io_, get_metrics(), asio::use_awaitable);
    if (!get.error.empty()) note_error(get.error);
    co_return get;
  }

  // Runs on measure_io_: touches nothing of the run but what is read-only.
  asio::awaitable<MetricsGet> get_metrics() const {
    MetricsGet get;
    const ClientRequest request = request_to(controller_, "GET", "/metrics");
    ClientOptions client_options;
    client_options.deadline = Clock::now() + std::chrono::seconds{30};
    client_options.body_limit = std::size_t{1} << 30;
    const std::uint64_t ns0 = read_proc(options_.controller_pid).cpu_ns;
    const auto start = Clock::now();
    const ClientExchange exchange = co_await http_exchange(request, client_options);
    get.wall_ms = millis(Clock::now() - start);
    get.cpu_ms = static_cast<double>(read_proc(options_.controller_pid).cpu_ns - ns0) / 1e6;
    if (!exchange.answered()) {
      get.error = "GET /metrics: " + describe_failure(request, exchange);
      co_return get;
    }
    get.status = exchange.reply.status;
    get.bytes = exchange.reply.body.size();
    std::size_t series = 0;
    bool line_start = true;
    for (const char c : exchange.reply.body) {
      if (line_start && c != '#' && c != '\n') ++series;
      line_start = c == '\n';
    }
    get.series = series;
    co_return get;
  }

  // POST /api/v1/probes: a tcp probe to the controller's own port (inside the allowlist),
  // to `nodes`, or to all agents when `nodes` is empty.
  asio::awaitable<Fanout> fanout(const std::vector<std::string>& nodes) {
    Fanout result;
    result.ran = true;
    result.mode = nodes.empty() ? "all" : "nodes";
    result.asked = nodes.empty() ? options_.agents : nodes.size();
    nlohmann::json body{{"probe",
                         {{"name", "bench-adhoc"},
                          {"type", "tcp"},
                          {"target", controller_.to_string()},
                          {"timeout", format_duration(options_.adhoc_timeout)}}}};
    if (nodes.empty()) {
      body["all"] = true;
    } else {
      body["nodes"] = nodes;
    }
    ClientRequest request = request_to(controller_, "POST", "/api/v1/probes");
    add_bearer_token(request, options_.api_token);
    set_json_body(request, body.dump());
    ClientOptions client_options;
    client_options.deadline = Clock::now() + options_.adhoc_timeout + std::chrono::seconds{10};
    client_options.body_limit = std::size_t{64} << 20;
    const auto start = Clock::now();
    const ClientExchange exchange = co_await http_exchange(request, client_options);
    result.wall_s = seconds(Clock::now() - start);
    if (!exchange.answered()) {
      result.error = describe_failure(request, exchange);
      co_return result;
    }
    result.status = exchange.reply.status;
    const auto reply = nlohmann::json::parse(exchange.reply.body, nullptr, false);
    if (exchange.reply.status != 200 || !reply.is_object() || !reply.contains("summary")) {
      result.error = "status " + std::to_string(exchange.reply.status) + ": " + exchange.reply.body.substr(0, 300);
      co_return result;
    }
    const auto& summary = reply["summary"];
    result.total = summary.value("total", std::size_t{0});
    result.success = summary.value("success", std::size_t{0});
    if (summary.contains("by_outcome")) result.unreachable = summary["by_outcome"].value("agent_unreachable", std::size_t{0});
    co_return result;
  }

  // POST /api/v1/probe on a synthetic agent: the agent token, then one result after --agent-delay.
  asio::awaitable<HttpResponse> answer_probe(std::size_t agent, HttpRequest request) {
    ++probes_answered_;
    if (request.path() != "/api/v1/probe") co_return error_response(404, "not_found", "no such path");
    if (request.method != "POST") co_return error_response(405, "method_not_allowed", "use POST");
    if (!bearer_matches(request.authorization, options_.agent_token)) {
      co_return error_response(401, "unauthorized", "missing or wrong bearer token");
    }
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("probe") || !body["probe"].is_object()) {
      co_return error_response(400, "invalid_field", "probe: is required");
    }
    const auto& probe = body["probe"];
    if (options_.agent_delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, options_.agent_delay);
      co_await timer.async_wait(kTuple);
    }
    ProbeResult result;
    result.probe = probe.value("name", std::string("adhoc"));
    result.type = ProbeType::tcp;
    result.target = probe.value("target", std::string());
    result.transport = "tcp";
    result.node = Workload::node_name(agent);
    result.ns = "monitoring";
    result.outcome = Outcome::ok;
    result.success = true;
    result.duration_seconds = static_cast<double>(options_.agent_delay.count()) / 1000.0;
    result.time = SystemClock::now();
    co_return json_response(200, nlohmann::json{{"results", nlohmann::json::array({to_json(result)})}});
  }

  asio::io_context& io_;
  // The /metrics timings' own thread and loop (timed_metrics_get).
  asio::io_context measure_io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> measure_work_{measure_io_.get_executor()};
  std::thread measure_thread_;
  Options options_;
  Workload workload_;
  Endpoint controller_;
  std::string authorization_;
  std::unique_ptr<ConnectionPool> pool_;
  std::vector<std::unique_ptr<HttpServer>> servers_;
  std::uint16_t agent_port_ = 0;

  Clock::time_point t0_, window_start_, window_end_;
  ProcReading start_reading_, end_reading_, final_reading_;
  double self_cpu_at_start_ = 0, self_cpu_window_ = 0;
  std::vector<Sample> samples_;
  std::vector<std::string> errors_;
  std::size_t in_flight_ = 0;
  std::size_t probes_answered_ = 0;
  std::vector<MetricsGet> window_scrapes_, metrics_gets_;
  Fanout fanout_nodes_, fanout_all_;
  bool finished_ = false;
};

// printf-style text for the table (format strings are literals, checked by the compiler).
__attribute__((format(printf, 1, 2))) std::string formatted(const char* format, ...) {
  char text[1024];
  std::va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return text;
}

std::string json_number(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

int LoadRun::report(std::ostream& out) const {
  const double window_s = seconds(window_end_ - window_start_);
  std::size_t window_reports = 0, window_failed = 0, total_ok = 0, total_failed = 0;
  std::vector<double> latencies, lags, all_latencies;
  for (const Sample& sample : samples_) {
    (sample.ok ? total_ok : total_failed) += 1;
    if (sample.ok) all_latencies.push_back(sample.latency_ms);
    if (sample.done < window_start_ || sample.done >= window_end_) continue;
    if (!sample.ok) {
      ++window_failed;
      continue;
    }
    ++window_reports;
    latencies.push_back(sample.latency_ms);
    lags.push_back(sample.lag_ms);
  }
  const std::size_t window_results = window_reports * options_.results;
  const double cpu_s = end_reading_.cpu_s - start_reading_.cpu_s;
  const double cpu_ns_s = static_cast<double>(end_reading_.cpu_ns - start_reading_.cpu_ns) / 1e9;
  double scrape_cpu_s = 0;
  for (const MetricsGet& get : window_scrapes_) scrape_cpu_s += get.cpu_ms / 1000;
  const double cores = window_s > 0 ? cpu_s / window_s : 0;
  const double per_1000 = window_results > 0 ? cpu_s / static_cast<double>(window_results) * 1000 : 0;
  const double per_1000_ns = window_results > 0 ? cpu_ns_s / static_cast<double>(window_results) * 1000 : 0;
  const double per_1000_no_scrape =
      window_results > 0 ? std::max(0.0, cpu_ns_s - scrape_cpu_s) / static_cast<double>(window_results) * 1000 : 0;
  const Percentiles lat = percentiles(latencies);
  const Percentiles lag = percentiles(lags);
  const Percentiles all_lat = percentiles(all_latencies);
  std::vector<double> metrics_wall, metrics_cpu;
  std::size_t metrics_bytes = 0, metrics_series = 0;
  for (const MetricsGet& get : metrics_gets_) {
    if (get.status != 200) continue;
    metrics_wall.push_back(get.wall_ms);
    metrics_cpu.push_back(get.cpu_ms);
    metrics_bytes = get.bytes;
    metrics_series = get.series;
  }
  const Percentiles mw = percentiles(metrics_wall);
  const Percentiles mc = percentiles(metrics_cpu);
  const double peak_mib = static_cast<double>(final_reading_.hwm_kib) / 1024;
  const double window_peak_mib = static_cast<double>(end_reading_.hwm_kib) / 1024;
  const double fanout_limit_s = static_cast<double>(options_.adhoc_timeout.count()) / 1000 + 1;

  const bool cpu_met = cores <= 1.0;
  const bool rss_met = peak_mib <= 256;
  const bool metrics_met = !metrics_wall.empty() && mw.p50 <= 100;
  const auto fanout_ok = [&](const Fanout& f) {
    return f.ran && f.error.empty() && f.total == f.asked && f.wall_s <= fanout_limit_s;
  };
  const bool fanout_met = fanout_ok(fanout_nodes_) && (!fanout_all_.ran || fanout_ok(fanout_all_));
  const bool reports_ok = total_failed == 0 && window_reports > 0;
  const auto met = [](bool value) { return value ? "met" : "NOT met"; };

  out << "\n";
  out << formatted("controller-load: %zu agents x %zu results every %s for %s against %s (pid %d)\n", options_.agents,
        options_.results, format_duration(options_.interval).c_str(), format_duration(options_.duration).c_str(),
        options_.controller.c_str(), options_.controller_pid);
  if (options_.keepalive > 0) {
    out << formatted("reports over a pool of at most %zu keep-alive connections (%zu opened in all)\n", options_.keepalive,
          pool_->opened());
  } else {
    out << formatted("reports on a fresh connection each (Connection: close), as netprobe-agent sends them\n");
  }
  out << formatted("%zu distinct checks (10 shared + scrape paths from a pool of %zu); ad hoc answered by %zu agents on "
        "127.0.X.Y:%u\n",
        workload_.distinct_checks(), options_.scrape_targets, options_.listening, static_cast<unsigned>(agent_port_));
  out << formatted("steady window %.1f s (after the first interval, before the /metrics and fan-out tests): %zu reports, "
        "%zu results; %zu failed (%zu failed over the whole run)\n\n",
        window_s, window_reports, window_results, window_failed, total_failed);

  out << formatted("%-46s %-26s %-14s %s\n", "FIGURE", "VALUE", "GOAL", "");
  out << formatted("%-46s %-26s %-14s %s\n", "controller CPU, steady window",
        (json_number(cores, 3) + " cores (" + json_number(cpu_s, 2) + " s)").c_str(), "<= 1 core", met(cpu_met));
  out << formatted("%-46s %-26s\n", "  CPU s per 1,000 results (ticks / schedstat)",
        (json_number(per_1000, 4) + " / " + json_number(per_1000_ns, 4)).c_str());
  out << formatted("%-46s %-26s\n",
        ("  ... without the " + std::to_string(window_scrapes_.size()) + " /metrics scrapes in it").c_str(),
        json_number(per_1000_no_scrape, 4).c_str());
  out << formatted("%-46s %-26s %-14s %s\n", "controller peak RSS (VmHWM, whole life)", (json_number(peak_mib, 1) + " MiB").c_str(),
        "<= 256 MiB", met(rss_met));
  out << formatted("%-46s %-26s\n", "  at the end of the steady window",
        (json_number(window_peak_mib, 1) + " MiB (RSS now " +
         json_number(static_cast<double>(final_reading_.rss_kib) / 1024, 1) + ")")
            .c_str());
  out << formatted("%-46s %-26s\n", "report latency p50 / p99 / max, window",
        (json_number(lat.p50, 2) + " / " + json_number(lat.p99, 2) + " / " + json_number(lat.max, 1) + " ms").c_str());
  out << formatted("%-46s %-26s\n", "  whole run (with /metrics, fan-outs)",
        (json_number(all_lat.p50, 2) + " / " + json_number(all_lat.p99, 2) + " / " + json_number(all_lat.max, 1) + " ms")
            .c_str());
  out << formatted("%-46s %-26s\n", "  generator lag p99 / max (due -> sent)",
        (json_number(lag.p99, 2) + " / " + json_number(lag.max, 1) + " ms").c_str());
  out << formatted("%-46s %-26s %-14s %s\n",
        ("/metrics GET median / max (" + std::to_string(metrics_wall.size()) + " GETs)").c_str(),
        (json_number(mw.p50, 1) + " / " + json_number(mw.max, 1) + " ms").c_str(), "<= 100 ms", met(metrics_met));
  out << formatted("%-46s %-26s\n", "  controller CPU per GET, median / max",
        (json_number(mc.p50, 1) + " / " + json_number(mc.max, 1) + " ms").c_str());
  out << formatted("%-46s %-26s\n", "  size", (std::to_string(metrics_bytes) + " bytes, " + std::to_string(metrics_series) + " series").c_str());
  const auto print_fanout = [&](const Fanout& f, const char* label) {
    if (!f.ran) return;
    const std::string value = f.error.empty() ? json_number(f.wall_s, 3) + " s" : "failed";
    out << formatted("%-46s %-26s %-14s %s\n", label, value.c_str(), ("<= " + json_number(fanout_limit_s, 1) + " s").c_str(),
          met(fanout_ok(f)));
    if (!f.error.empty()) {
      out << formatted("%-46s %s\n", "", f.error.substr(0, 200).c_str());
    } else {
      out << formatted("%-46s %-26s\n", "  results / success / agent_unreachable",
            (std::to_string(f.total) + " / " + std::to_string(f.success) + " / " + std::to_string(f.unreachable)).c_str());
    }
  };
  print_fanout(fanout_nodes_, ("ad hoc fan-out to " + std::to_string(fanout_nodes_.asked) + " agents (nodes)").c_str());
  print_fanout(fanout_all_, ("ad hoc fan-out all: true (" + std::to_string(fanout_all_.asked) + " agents)").c_str());
  out << formatted("%-46s %-26s\n", "load generator CPU, steady window",
        (json_number(window_s > 0 ? self_cpu_window_ / window_s : 0, 3) + " cores").c_str());
  for (const std::string& error : errors_) out << formatted("first errors: %s\n", error.substr(0, 300).c_str());

  out << "\nGoals: CPU <= 1 core: " << met(cpu_met) << "; peak RSS <= 256 MiB: " << met(rss_met)
      << "; /metrics <= 100 ms: " << met(metrics_met) << "; fan-out <= timeout + 1 s: " << met(fanout_met) << "\n";
  if (!reports_ok) out << "WARNING: some reports failed: the figures are not those of the full load\n";

  nlohmann::ordered_json fanouts = nlohmann::ordered_json::object();
  for (const Fanout* f : {&fanout_nodes_, &fanout_all_}) {
    if (!f->ran) continue;
    fanouts[f->mode] = {{"agents", f->asked},      {"wall_s", std::stod(json_number(f->wall_s, 4))},
                        {"results", f->total},     {"success", f->success},
                        {"agent_unreachable", f->unreachable}, {"error", f->error}};
  }
  const auto round = [](double value, int decimals) { return std::stod(json_number(value, decimals)); };
  nlohmann::ordered_json json{
      {"bench", "controller_load"},
      {"agents", options_.agents},
      {"results_per_report", options_.results},
      {"interval_s", round(static_cast<double>(options_.interval.count()) / 1000, 3)},
      {"duration_s", round(static_cast<double>(options_.duration.count()) / 1000, 3)},
      {"connections", options_.keepalive > 0 ? "keepalive" : "fresh"},
      {"keepalive_max", options_.keepalive},
      {"distinct_checks", workload_.distinct_checks()},
      {"window_s", round(window_s, 2)},
      {"window_reports", window_reports},
      {"window_results", window_results},
      {"reports_failed", total_failed},
      {"cpu_s", round(cpu_s, 3)},
      {"cores", round(cores, 4)},
      {"cpu_s_per_1000_results", round(per_1000, 5)},
      {"cpu_s_per_1000_results_schedstat", round(per_1000_ns, 5)},
      {"cpu_s_per_1000_results_without_scrapes", round(per_1000_no_scrape, 5)},
      {"window_scrapes", window_scrapes_.size()},
      {"peak_rss_mib", round(peak_mib, 1)},
      {"window_peak_rss_mib", round(window_peak_mib, 1)},
      {"report_latency_ms", {{"p50", round(lat.p50, 3)}, {"p90", round(lat.p90, 3)}, {"p99", round(lat.p99, 3)}, {"max", round(lat.max, 2)}}},
      {"report_latency_all_ms", {{"p50", round(all_lat.p50, 3)}, {"p99", round(all_lat.p99, 3)}, {"max", round(all_lat.max, 2)}}},
      {"generator_lag_ms", {{"p99", round(lag.p99, 3)}, {"max", round(lag.max, 2)}}},
      {"metrics", {{"gets", metrics_wall.size()}, {"wall_ms_median", round(mw.p50, 2)}, {"wall_ms_max", round(mw.max, 2)},
                   {"cpu_ms_median", round(mc.p50, 2)}, {"bytes", metrics_bytes}, {"series", metrics_series}}},
      {"fanout", fanouts},
      {"fanout_limit_s", fanout_limit_s},
      {"generator_cores", round(window_s > 0 ? self_cpu_window_ / window_s : 0, 3)},
      {"goals", {{"cpu_le_1_core", cpu_met}, {"rss_le_256_mib", rss_met}, {"metrics_le_100_ms", metrics_met},
                 {"fanout_le_timeout_plus_1s", fanout_met}}},
      {"reports_ok", reports_ok}};
  out << "\n" << json.dump() << "\n";
  out.flush();
  return reports_ok ? 0 : 1;
}

}  // namespace

int run_load(const Options& options) {
  asio::io_context io(1);
  std::unique_ptr<LoadRun> run;
  try {
    run = std::make_unique<LoadRun>(io, options);
    read_proc(options.controller_pid);
    run->listen_agents();
  } catch (const std::exception& error) {
    std::cerr << "controller-load: " << error.what() << "\n";
    return 2;
  }
  asio::co_spawn(io, run->run(), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::cerr << "controller-load: " << e.what() << "\n";
    }
  });
  // Bounded whatever happens: the run plus its tests and the last requests' deadlines.
  asio::steady_timer watchdog(io, options.duration + std::chrono::seconds{60});
  watchdog.async_wait([&io](const boost::system::error_code& error) {
    if (!error) io.stop();
  });
  io.run();
  if (!run->finished()) {
    std::cerr << "controller-load: did not finish in time (or failed); no figures\n";
    return 3;
  }
  return run->report(std::cout);
}

}  // namespace netprobe::bench
