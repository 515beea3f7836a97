// The agent's reporter against controllers on loopback: a real HttpServer
// standing in for a healthy replica, and a listener that never accepts for a
// blackholed one (connections complete in the kernel's backlog, no answer
// ever comes: what a NetworkPolicy drop after the handshake looks like).
#include "agent/reporter.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "io/http_server.hpp"

using namespace netprobe;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kTestBound = std::chrono::seconds{20};  // io.run_for: a broken reporter fails, never hangs

struct StandInController {
  explicit StandInController(asio::io_context& io, std::string reply_body)
      : reply(std::move(reply_body)),
        server(io.get_executor(), [this](HttpRequest request) { return handle(std::move(request)); }, options()) {
    server.listen("127.0.0.1:0");
    server.start();
  }

  static HttpServer::Options options() {
    HttpServer::Options out;
    out.admit = [](const HttpRequest&) { return Admission{std::nullopt, 1 << 20}; };
    return out;
  }

  asio::awaitable<HttpResponse> handle(HttpRequest request) {
    reports.push_back(nlohmann::json::parse(request.body));
    authorizations.push_back(request.authorization);
    HttpResponse response;
    response.body = reply;
    co_return response;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()); }

  std::string reply;
  std::vector<nlohmann::json> reports;
  std::vector<std::string> authorizations;
  HttpServer server;
};

// Accepts connections into its backlog and never reads them.
struct Blackhole {
  explicit Blackhole(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }
  tcp::acceptor acceptor;
};

ReporterOptions options_for(std::vector<std::string> controllers) {
  ReporterOptions options;
  options.controllers = std::move(controllers);
  options.token = "agent-t0ken";
  options.node = "n1";
  options.ns = "netprobe";
  options.advertise = "127.0.0.1:9743";
  options.interval = Millis{60'000};  // only the first report, and early ones, fall inside a test
  return options;
}

ProbeResult result_with(Outcome outcome) {
  ProbeResult result;
  result.probe = "api";
  result.type = ProbeType::tcp;
  result.target = "127.0.0.1:6443";
  result.transport = "tcp";
  result.outcome = outcome;
  result.success = outcome == Outcome::ok;
  result.time = std::chrono::system_clock::now();
  return result;
}

using Deliveries = std::vector<std::pair<std::string, ReportDelivery>>;

// Polls `condition` every 5 ms until it holds or `limit` passes, then runs `then`.
template <typename Condition, typename Then>
void when(asio::io_context& io, Condition condition, Then then, std::chrono::milliseconds limit = std::chrono::seconds{10}) {
  asio::co_spawn(
      io,
      [&io, condition, then, limit]() -> asio::awaitable<void> {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        asio::steady_timer poll(io);
        while (!condition() && std::chrono::steady_clock::now() < deadline) {
          poll.expires_after(std::chrono::milliseconds{5});
          co_await poll.async_wait(asio::use_awaitable);
        }
        then();
      },
      asio::detached);
}

}  // namespace

TEST_CASE("reporter: a blackholed replica holds back no other; the healthy one gets the report and its token") {
  asio::io_context io;
  Blackhole blackhole(io);
  StandInController healthy(io, R"({"accepted": 1})");
  Deliveries deliveries;
  const std::string healthy_url = healthy.url();  // the servers stop before the checks
  Reporter reporter(
      io.get_executor(), options_for({blackhole.url(), healthy_url}), [](const ControllerReply&) {},
      [&](const std::string& controller, ReportDelivery delivery) { deliveries.emplace_back(controller, delivery); });
  reporter.record(result_with(Outcome::ok));
  reporter.start();
  when(io, [&] { return !healthy.reports.empty(); }, [&] {
    reporter.stop();
    healthy.server.stop();
    blackhole.acceptor.close();  // the connection in its backlog is reset: the pending report ends
  });
  io.run_for(kTestBound);
  REQUIRE(healthy.reports.size() == 1);
  CHECK(healthy.authorizations[0] == "Bearer agent-t0ken");
  const nlohmann::json& report = healthy.reports[0];
  CHECK(report["node"] == "n1");
  CHECK(report["full"] == true);
  CHECK(report["results"].size() == 1);
  // Sent one after another (the blackhole first), the healthy replica would
  // have waited for the blackhole's 5 s timeout and its failure would come first.
  REQUIRE_FALSE(deliveries.empty());
  CHECK(deliveries[0] == std::pair{healthy_url, ReportDelivery::accepted});
}

TEST_CASE("reporter: an outcome change goes out early, alone, without waiting for the interval") {
  asio::io_context io;
  StandInController controller(io, R"({"accepted": 1})");
  Reporter reporter(io.get_executor(), options_for({controller.url()}), [](const ControllerReply&) {},
                    [](const std::string&, ReportDelivery) {});
  reporter.record(result_with(Outcome::ok));
  reporter.start();
  when(io, [&] { return controller.reports.size() == 1; }, [&] {
    reporter.record(result_with(Outcome::ok));       // no change: nothing early
    reporter.record(result_with(Outcome::timeout));  // a change
    when(io, [&] { return controller.reports.size() == 2; }, [&] {
      reporter.stop();
      controller.server.stop();
    });
  });
  io.run_for(kTestBound);
  REQUIRE(controller.reports.size() == 2);  // the interval is 60 s: only the early report can be the second
  const nlohmann::json& early = controller.reports[1];
  CHECK(early["full"] == false);
  REQUIRE(early["results"].size() == 1);
  CHECK(early["results"][0]["outcome"] == "timeout");
}

TEST_CASE("reporter: the probes a controller assigns are handed on once, not on every reply") {
  asio::io_context io;
  StandInController controller(
      io, R"({"accepted": 1, "probes": [{"name": "assigned-dns", "type": "dns", "servers": ["127.0.0.1:53"],
                                          "query": "kubernetes.default.svc.cluster.local."}]})");
  std::vector<std::string> handed;
  Reporter reporter(
      io.get_executor(), options_for({controller.url()}),
      [&](const ControllerReply& reply) {
        for (const auto& probe : reply.probes) handed.push_back(probe->name);
      },
      [](const std::string&, ReportDelivery) {});
  reporter.record(result_with(Outcome::ok));
  reporter.start();
  when(io, [&] { return controller.reports.size() == 1; }, [&] {
    reporter.record(result_with(Outcome::reset));  // a second report, the same reply
    when(io, [&] { return controller.reports.size() == 2; }, [&] {
      reporter.stop();
      controller.server.stop();
    });
  });
  io.run_for(kTestBound);
  CHECK(controller.reports.size() == 2);
  CHECK(handed == std::vector<std::string>{"assigned-dns"});
}
