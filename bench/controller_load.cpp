// controller-load: synthetic agents against a running netprobe-controller, on loopback only.
//
// One process, one io_context, C++20 coroutines. It
//   - posts full reports (POST /api/v1/reports, agent token) for --agents synthetic agents, each
//     every --interval, spread evenly over the interval, and records each report's latency;
//   - answers POST /api/v1/probe like an agent on --listening-agents distinct loopback addresses
//     127.0.X.Y:P (all of 127.0.0.0/8 is loopback on Linux), which those agents advertise;
//   - scrapes /metrics now and then as Prometheus would, then times a few GETs of it;
//   - runs ad hoc probes (POST /api/v1/probes, API token) fanned out to the listening agents;
//   - reads the controller's CPU and memory from /proc/PID, prints a table, the goals, and one
//     JSON line (the last line of stdout).
// It stops by itself after --duration (plus the requests in flight, each bounded by a deadline).
// Every address it connects to or listens on is in 127.0.0.0/8; anything else is refused.
//
// Reports go, by default, on a fresh connection each (Connection: close) through our own
// http_exchange: that is exactly what netprobe-agent's reporter does, so the controller pays
// for an accept and a close per report as it will in a cluster. --keepalive N sends them instead
// over a pool of at most N keep-alive connections (Beast directly) shared by all the synthetic
// agents, the cheaper pattern a future agent (or a proxy in front of the controller) would give.
// See bench/README.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "core/duration.hpp"
#include "core/endpoint.hpp"
#include "core/http_message.hpp"
#include "core/report.hpp"
#include "core/result.hpp"
#include "core/version.hpp"
#include "io/http_client.hpp"
#include "io/http_server.hpp"
#include "io/log.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;
using namespace netprobe;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kRequestTimeout = std::chrono::seconds{5};  // as netprobe-agent's reporter

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string controller;  // 127.x.y.z:port
  int controller_pid = 0;
  std::string agent_token;
  std::string api_token;
  std::size_t agents = 5000;
  std::size_t results = 30;
  Millis interval{10'000};
  Millis duration{60'000};
  std::size_t listening = 1000;
  std::uint16_t agent_port = 0;  // 0: pick one free on every listening address
  Millis adhoc_timeout{2'000};
  Millis agent_delay{20};  // how long a synthetic agent takes to "run" an ad hoc probe
  std::size_t keepalive = 0;  // 0: a fresh connection per report, as netprobe-agent does
  Millis scrape_interval{15'000};
  int metrics_gets = 5;
  std::size_t scrape_targets = 1000;
  bool fanout_all = true;
};

bool is_loopback_v4(const std::string& host) {
  boost::system::error_code error;
  const auto address = asio::ip::make_address_v4(host, error);
  return !error && (address.to_uint() >> 24) == 127;
}

std::string read_token(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw std::runtime_error("token file " + path + " is empty");
  return token;
}

// ---------------------------------------------------------------------------------------------
// The controller process, from /proc

struct ProcReading {
  double cpu_s = 0;        // utime + stime, all threads, exited ones included (clock ticks)
  std::uint64_t cpu_ns = 0;  // sum of /proc/PID/task/*/schedstat: finer, live threads only
  long hwm_kib = 0;        // VmHWM: peak RSS over the process's life
  long rss_kib = 0;        // VmRSS now
};

ProcReading read_proc(int pid) {
  ProcReading reading;
  const std::string base = "/proc/" + std::to_string(pid);
  {
    std::ifstream file(base + "/stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) throw std::runtime_error("cannot read " + base + "/stat (has the controller exited?)");
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> field;
    for (std::string word; fields >> word;) field.push_back(word);
    // Field 3 (state) is field[0]: utime (14) and stime (15) are field[11] and field[12].
    if (field.size() < 13) throw std::runtime_error("unexpected " + base + "/stat");
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    reading.cpu_s = (std::stod(field[11]) + std::stod(field[12])) / ticks;
  }
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(base + "/task", error)) {
    std::ifstream file(task.path() / "schedstat");
    std::uint64_t ns = 0;
    if (file >> ns) reading.cpu_ns += ns;
  }
  std::ifstream status(base + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) reading.hwm_kib = std::stol(line.substr(6));
    if (line.starts_with("VmRSS:")) reading.rss_kib = std::stol(line.substr(6));
  }
  return reading;
}

// ---------------------------------------------------------------------------------------------
// The workload: what each synthetic agent reports

struct CheckDef {
  std::string probe;
  ProbeType type;
  std::string target;
  std::string transport;
  Expect expect = Expect::allow;
};

std::uint64_t mix(std::uint64_t x) {  // splitmix64: a cheap, well-spread hash
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Workload {
 public:
  explicit Workload(const Options& options) : options_(options) {
    // What every agent runs in a cluster (README.md, "Agent configuration"): kube-dns over both transports, each CoreDNS
    // endpoint, NodeLocal DNSCache, the API server, the metadata endpoint (expect: deny) ...
    shared_ = {
        {"kube-dns", ProbeType::dns, "10.96.0.10:53", "udp"},  // # not-a-destination: report data
        {"kube-dns", ProbeType::dns, "10.96.0.10:53", "tcp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.0.12:53", "udp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.0.12:53", "tcp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.1.7:53", "udp"},  // # not-a-destination: report data
        {"coredns-endpoints", ProbeType::dns, "10.244.1.7:53", "tcp"},  // # not-a-destination: report data
        {"nodelocaldns", ProbeType::dns, "169.254.20.10:53", "udp"},
        {"nodelocaldns", ProbeType::dns, "169.254.20.10:53", "tcp"},
        {"kubernetes-api", ProbeType::tcp, "10.96.0.1:443", "tcp"},  // # not-a-destination: report data
        {"metadata", ProbeType::metadata, "169.254.169.254:80", "tcp", Expect::deny},  // # not-a-destination: report data
    };
    // ... and the rest are scrape paths (monitoring -> app metrics ports), each agent being
    // assigned its own slice of a pool of --scrape-targets. These strings are report data only:
    // nothing connects to them.
    for (std::size_t k = 0; k < options.scrape_targets; ++k) {
      scrape_.push_back("http://10." + std::to_string(100 + k / 62500) + "." + std::to_string(k / 250 % 250) + "." +
                        std::to_string(k % 250 + 1) + ":9090/metrics");
    }
  }

  std::size_t distinct_checks() const {
    const std::size_t shared = std::min(options_.results, shared_.size());
    const std::size_t scrape = options_.results - shared;
    return shared + std::min(options_.scrape_targets, scrape * options_.agents);
  }

  CheckDef check(std::size_t agent, std::size_t index) const {
    if (index < shared_.size()) return shared_[index];
    const std::size_t j = index - shared_.size();
    const std::size_t per_agent = options_.results - shared_.size();
    return {"scrape", ProbeType::http, scrape_[(agent * per_agent + j) % scrape_.size()], "http"};
  }

  // About 2 % of (agent, check) pairs fail all the time, and another 1 % in any given round
  // (so outcomes change between rounds and the store's since-when logic runs).
  AgentReport report(std::size_t agent, std::uint64_t round, const std::string& address) const {
    AgentReport report;
    report.node = node_name(agent);
    report.ns = "monitoring";
    report.address = address;
    report.version = std::string(kVersion);
    report.interval = options_.interval;
    report.full = true;
    report.results.reserve(options_.results);
    const auto now = SystemClock::now();
    for (std::size_t c = 0; c < options_.results; ++c) {
      const CheckDef def = check(agent, c);
      const std::uint64_t pair = mix((static_cast<std::uint64_t>(agent) << 20) ^ c);
      const bool failing = pair % 1000 < 20 || mix(pair ^ (round * 0x100000001b3ULL)) % 1000 < 10;
      ProbeResult result;
      result.probe = def.probe;
      result.type = def.type;
      result.target = def.target;
      result.transport = def.transport;
      result.expect = def.expect;
      result.node = report.node;
      result.ns = report.ns;
      if (def.expect == Expect::deny) {  // the policy blocks the metadata endpoint: that is success
        result.outcome = failing ? Outcome::ok : Outcome::timeout;
      } else if (failing) {
        result.outcome = def.type == ProbeType::http && pair % 2 == 0 ? Outcome::refused : Outcome::timeout;
      } else {
        result.outcome = Outcome::ok;
      }
      result.success = verdict(def.expect, result.outcome);
      if (result.outcome == Outcome::timeout) {
        result.duration_seconds = 2.0;
        result.detail = "no response from " + def.target + " within 2s";
      } else if (result.outcome == Outcome::refused) {
        result.duration_seconds = 0.0004;
        result.detail = "connect to " + def.target + ": connection refused";
      } else {
        result.duration_seconds = 0.0005 + static_cast<double>(pair % 4000) / 1e6;
        if (def.expect == Expect::deny) result.detail = "connected: the policy does not block " + def.target;
      }
      result.time = now;
      report.results.push_back(std::move(result));
    }
    return report;
  }

  static std::string node_name(std::size_t agent) {
    char name[32];
    std::snprintf(name, sizeof name, "node-%05zu", agent);
    return name;
  }

 private:
  const Options& options_;
  std::vector<CheckDef> shared_;
  std::vector<std::string> scrape_;
};

// ---------------------------------------------------------------------------------------------
// A pool of keep-alive connections to the controller (--keepalive N)

struct PostReply {
  bool answered = false;
  int status = 0;
  std::string error;
};

class ConnectionPool {
 public:
  ConnectionPool(asio::any_io_executor executor, tcp::endpoint endpoint, std::string host, std::size_t max)
      : executor_(std::move(executor)), endpoint_(endpoint), host_(std::move(host)), max_(max) {}

  std::size_t opened() const { return opened_total_; }

  asio::awaitable<PostReply> post(const std::string& target, const std::string& authorization, const std::string& body,
                                  Clock::time_point deadline) {
    PostReply reply;
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::unique_ptr<Connection> connection = co_await acquire(deadline);
      if (!connection) {
        reply.error = "no pooled connection free before the deadline";
        co_return reply;
      }
      const bool reused = connection->used;
      connection->stream.expires_at(deadline);
      if (!connection->used) {
        auto [connect_error] = co_await connection->stream.async_connect(endpoint_, kTuple);
        if (connect_error) {
          reply.error = "connect: " + connect_error.message();
          discard(std::move(connection));
          co_return reply;
        }
        ++opened_total_;
        connection->used = true;
      }
      http::request<http::string_body> request{http::verb::post, target, 11};
      request.set(http::field::host, host_);
      request.set(http::field::authorization, authorization);
      request.set(http::field::content_type, "application/json");
      request.keep_alive(true);
      request.body() = body;
      request.prepare_payload();
      auto [write_error, written] = co_await http::async_write(connection->stream, request, kTuple);
      boost::system::error_code error = write_error;
      if (!error) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        auto [read_error, read] = co_await http::async_read(connection->stream, connection->buffer, parser, kTuple);
        error = read_error;
        if (!error) {
          reply.answered = true;
          reply.status = static_cast<int>(parser.get().result_int());
          const bool keep = parser.get().keep_alive();
          release(std::move(connection), keep);
          co_return reply;
        }
      }
      reply.error = error.message();
      discard(std::move(connection));
      // An idle connection the server had already closed (its keep-alive read deadline): once more
      // on a new one. A fresh connection that fails is a real failure.
      if (!reused || Clock::now() >= deadline) co_return reply;
    }
    co_return reply;
  }

 private:
  struct Connection {
    explicit Connection(const asio::any_io_executor& executor) : stream(executor) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool used = false;
  };

  asio::awaitable<std::unique_ptr<Connection>> acquire(Clock::time_point deadline) {
    while (true) {
      if (!idle_.empty()) {
        auto connection = std::move(idle_.front());  // FIFO: every pooled connection stays warm
        idle_.pop_front();
        co_return connection;
      }
      if (open_ < max_) {
        ++open_;
        co_return std::make_unique<Connection>(executor_);
      }
      asio::steady_timer wait(executor_, deadline);
      waiters_.push_back(&wait);
      co_await wait.async_wait(kTuple);
      std::erase(waiters_, &wait);
      if (Clock::now() >= deadline) co_return nullptr;
    }
  }

  void wake_one() {
    if (waiters_.empty()) return;
    waiters_.front()->cancel();
    waiters_.pop_front();
  }

  void release(std::unique_ptr<Connection> connection, bool keep) {
    if (keep) {
      idle_.push_back(std::move(connection));
    } else {
      discard(std::move(connection));
      return;
    }
    wake_one();
  }

  void discard(std::unique_ptr<Connection> connection) {
    boost::system::error_code ignored;
    connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection->stream.socket().close(ignored);
    --open_;
    wake_one();
  }

  asio::any_io_executor executor_;
  tcp::endpoint endpoint_;
  std::string host_;
  std::size_t max_;
  std::size_t open_ = 0;
  std::size_t opened_total_ = 0;
  std::deque<std::unique_ptr<Connection>> idle_;
  std::deque<asio::steady_timer*> waiters_;
};

// ---------------------------------------------------------------------------------------------
// The run

struct Sample {
  Clock::time_point done;
  double latency_ms = 0;  // request sent -> reply read (what the agent waits for)
  double lag_ms = 0;      // scheduled -> sent: how far the generator fell behind (0 if it kept up)
  bool ok = false;
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

Percentiles percentiles(std::vector<double> values) {
  Percentiles p;
  if (values.empty()) return p;
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) {
    const auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1;
    return values[std::min(index, values.size() - 1)];
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.max = values.back();
  return p;
}

struct MetricsGet {
  double wall_ms = 0;
  double cpu_ms = 0;  // the controller's CPU during the GET (schedstat)
  std::size_t bytes = 0;
  std::size_t series = 0;
  int status = 0;
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
  }

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
      metrics_gets_.push_back(co_await get_metrics());
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
      ClientRequest request;
      request.host = controller_.host;
      request.port = controller_.port;
      request.method = "POST";
      request.target = "/api/v1/reports";
      request.headers = {{"Authorization", authorization_}, {"Content-Type", "application/json"}};
      request.body = body;
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
      window_scrapes_.push_back(co_await get_metrics());
    }
  }

  asio::awaitable<MetricsGet> get_metrics() {
    MetricsGet get;
    ClientRequest request;
    request.host = controller_.host;
    request.port = controller_.port;
    request.target = "/metrics";
    ClientOptions client_options;
    client_options.deadline = Clock::now() + std::chrono::seconds{30};
    client_options.body_limit = std::size_t{1} << 30;
    const std::uint64_t ns0 = read_proc(options_.controller_pid).cpu_ns;
    const auto start = Clock::now();
    const ClientExchange exchange = co_await http_exchange(request, client_options);
    get.wall_ms = millis(Clock::now() - start);
    get.cpu_ms = static_cast<double>(read_proc(options_.controller_pid).cpu_ns - ns0) / 1e6;
    if (!exchange.answered()) {
      note_error("GET /metrics: " + describe_failure(request, exchange));
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
    ClientRequest request;
    request.host = controller_.host;
    request.port = controller_.port;
    request.method = "POST";
    request.target = "/api/v1/probes";
    request.headers = {{"Authorization", "Bearer " + options_.api_token}, {"Content-Type", "application/json"}};
    request.body = body.dump();
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

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  Options options;
  std::string interval = "10s", duration = "60s", adhoc_timeout = "2s", agent_delay = "20ms", scrape_interval = "15s";
  std::string agent_token_file, api_token_file;
  po::options_description flags(
      "controller-load: synthetic agents on loopback against a running netprobe-controller\n"
      "(normally run through bench/controller_load.sh)\nOptions");
  flags.add_options()
      ("help,h", "print this help and exit")
      ("controller", po::value(&options.controller)->required(), "the controller's address, 127.x.y.z:port")
      ("controller-pid", po::value(&options.controller_pid)->required(), "the controller's process id (read from /proc)")
      ("agent-token-file", po::value(&agent_token_file)->required(), "the agent token (reports; the controller's calls to agents)")
      ("api-token-file", po::value(&api_token_file)->required(), "the API token (ad hoc probes)")
      ("agents", po::value(&options.agents)->default_value(options.agents), "synthetic agents (1-20000)")
      ("results", po::value(&options.results)->default_value(options.results), "results per report (1-1000)")
      ("interval", po::value(&interval)->default_value(interval), "report interval of every agent (>= 1s)")
      ("duration", po::value(&duration)->default_value(duration), "how long the reports go on (<= 10m)")
      ("listening-agents", po::value(&options.listening)->default_value(options.listening),
       "agents that answer ad hoc probes, on 127.0.X.Y (0-5000)")
      ("agent-port", po::value(&options.agent_port)->default_value(0), "their port (default: a free one)")
      ("adhoc-timeout", po::value(&adhoc_timeout)->default_value(adhoc_timeout), "timeout of the ad hoc probe")
      ("agent-delay", po::value(&agent_delay)->default_value(agent_delay), "how long an agent takes to answer one")
      ("no-fanout-all", "skip the \"all\": true fan-out (every agent, most of them refusing)")
      ("keepalive", po::value(&options.keepalive)->default_value(0),
       "send reports over a pool of at most N keep-alive connections (default 0: a fresh one each, as agents do)")
      ("scrape-interval", po::value(&scrape_interval)->default_value(scrape_interval),
       "a Prometheus-like /metrics scrape this often in the steady window (0s: none)")
      ("metrics-gets", po::value(&options.metrics_gets)->default_value(options.metrics_gets), "timed /metrics GETs")
      ("scrape-targets", po::value(&options.scrape_targets)->default_value(options.scrape_targets),
       "pool of scrape-path targets the agents' scrape checks are drawn from");
  po::variables_map vars;
  try {
    po::store(po::command_line_parser(argc, argv).options(flags).run(), vars);
    if (vars.count("help")) {
      std::cout << flags << "\nExit codes: 0 measured, 1 some reports failed, 2 usage error, 3 did not finish.\n";
      return 0;
    }
    po::notify(vars);
    options.fanout_all = vars.count("no-fanout-all") == 0;
    const auto parse = [](const std::string& text, const char* flag) {
      const auto value = parse_duration(text);
      if (!value) throw std::runtime_error(std::string("--") + flag + ": bad duration \"" + text + "\"");
      return *value;
    };
    options.interval = parse(interval, "interval");
    options.duration = parse(duration, "duration");
    options.adhoc_timeout = parse(adhoc_timeout, "adhoc-timeout");
    options.agent_delay = parse(agent_delay, "agent-delay");
    options.scrape_interval = parse(scrape_interval, "scrape-interval");
    if (options.agents < 1 || options.agents > 20000) throw std::runtime_error("--agents: expected 1 to 20000");
    if (options.results < 1 || options.results > 1000) throw std::runtime_error("--results: expected 1 to 1000");
    if (options.listening > std::min<std::size_t>(options.agents, 5000)) {
      throw std::runtime_error("--listening-agents: at most --agents and at most 5000");
    }
    if (options.interval < Millis{1000}) throw std::runtime_error("--interval: at least 1s");
    if (options.duration > Millis{600'000}) throw std::runtime_error("--duration: at most 10m");
    if (options.duration < options.interval + Millis{15'000}) {
      throw std::runtime_error("--duration: at least --interval + 15s (a first round, a steady window, 10 s of tests)");
    }
    if (options.adhoc_timeout < Millis{100} || options.adhoc_timeout > Millis{3'000}) {
      throw std::runtime_error("--adhoc-timeout: 100ms to 3s (the tests after the steady window take 10 s)");
    }
    if (options.agent_delay >= options.adhoc_timeout) throw std::runtime_error("--agent-delay: below --adhoc-timeout");
    if (options.scrape_targets < 1 || options.scrape_targets > 1'000'000) {
      throw std::runtime_error("--scrape-targets: expected 1 to 1000000");
    }
    if (options.metrics_gets < 1 || options.metrics_gets > 20) throw std::runtime_error("--metrics-gets: 1 to 20");
    options.agent_token = read_token(agent_token_file);
    options.api_token = read_token(api_token_file);
  } catch (const std::exception& error) {
    std::cerr << "controller-load: " << error.what() << "\nTry 'controller-load --help'.\n";
    return 2;
  }
  log::set_level(LogLevel::error);

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
