// http prober against real servers on loopback: small Beast servers on a
// thread for the plain cases, `openssl s_server` for TLS.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/check.hpp"
#include "core/probe_config.hpp"
#include "io/http_client.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"
#include "support/run_probe.hpp"

using namespace netprobe;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using testing::LoopbackServer;

// What the servers saw, read by the test thread after the probe returned.
struct Seen {
  std::mutex mutex;
  std::vector<http::request<http::string_body>> requests;

  void add(const http::request<http::string_body>& request) {
    const std::lock_guard lock(mutex);
    requests.push_back(request);
  }
  http::request<http::string_body> last() {
    const std::lock_guard lock(mutex);
    REQUIRE_FALSE(requests.empty());
    return requests.back();
  }
};

// Answers every request with `status`, recording it in `seen` when given.
LoopbackServer::Handler respond(http::status status, Seen* seen = nullptr) {
  if (seen == nullptr) return testing::answer_with(status);
  return testing::answer_with(status, [seen](const testing::HttpRequestSeen& request) { seen->add(request); });
}

// Reads the request, then closes with SO_LINGER {1, 0}: the kernel sends RST.
void reset_after_request(tcp::socket& socket) {
  if (!testing::read_http_request(socket)) return;
  socket.set_option(asio::socket_base::linger(true, 0));
  socket.close();
}

// Reads the request and never answers; returns once the client gives up.
void never_answer(tcp::socket& socket) {
  if (!testing::read_http_request(socket)) return;
  char byte = 0;
  boost::system::error_code error;
  socket.read_some(asio::buffer(&byte, 1), error);
}

std::string http_probe(const std::string& url, const std::string& extra = "") {
  return "{type: http, url: '" + url + "'" + extra + "}";
}

// A self-signed certificate made by the real `openssl req`, and an
// `openssl s_server -www` presenting it on 127.0.0.1.
struct TlsServer {
  std::string dir = testing::make_temp_dir("netprobe-http");
  std::string cert = dir + "/cert.pem";
  std::string key = dir + "/key.pem";
  std::uint16_t port = testing::free_port();
  std::unique_ptr<testing::ChildProcess> server;

  // `san` is the certificate's subjectAltName ("" for none: then only CN=localhost).
  explicit TlsServer(const std::string& san) {
    std::vector<std::string> req{"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                                 "-subj", "/CN=localhost", "-keyout", key, "-out", cert};
    if (!san.empty()) {
      req.push_back("-addext");
      req.push_back("subjectAltName=" + san);
    }
    testing::ChildProcess make_cert(req, dir + "/req.log");
    const int status = make_cert.wait_exit(std::chrono::seconds{30});
    REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), testing::read_file(dir + "/req.log"));
    server = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                                 cert, "-key", key, "-www", "-quiet"},
        dir + "/s_server.log");
    REQUIRE_MESSAGE(testing::wait_for_tcp_port(port), testing::read_file(dir + "/s_server.log"));
  }
  ~TlsServer() {
    server.reset();  // stop s_server before its files go
    std::filesystem::remove_all(dir);
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port) + "/"; }
};

}  // namespace

TEST_CASE("http: 200 is ok, and the request is what the spec asked for") {
  Seen seen;
  LoopbackServer server(respond(http::status::ok, &seen));
  const ProbeResult result = testing::run_single(http_probe(server.url("/healthz?full=1")));
  CHECK(result.outcome == Outcome::ok);
  CHECK(result.success);
  CHECK(result.transport == "http");
  CHECK(result.detail == "GET " + server.url("/healthz?full=1") + ": 200 OK");
  const auto request = seen.last();
  CHECK(request.method() == http::verb::get);
  CHECK(request.target() == "/healthz?full=1");
  CHECK(request[http::field::host] == "127.0.0.1:" + std::to_string(server.port()));
}

TEST_CASE("an exchange keeps only the reply headers it names, and reads a reply past its first read whole") {
  const std::string body(10'000, 'x');  // more than the client's first read (4 KiB)
  LoopbackServer server([&body](tcp::socket& socket) {
    if (!testing::read_http_request(socket)) return;
    http::response<http::string_body> response{http::status::too_many_requests, 11};
    response.set(http::field::retry_after, "3");
    response.set("X-Other", "1");
    response.body() = body;
    response.prepare_payload();
    boost::system::error_code error;
    http::write(socket, response, error);
  });
  static constexpr std::array<std::string_view, 1> kKept{"retry-after"};  // matched case-insensitively
  ClientOptions options;
  options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  options.keep_headers = kKept;
  const ClientRequest request = request_to(Endpoint{"127.0.0.1", server.port()}, "GET", "/");  // outlives the exchange
  asio::io_context io;
  ClientExchange exchange;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { exchange = co_await http_exchange(request, options); }, asio::detached);
  io.run();
  REQUIRE(exchange.answered());
  CHECK(exchange.reply.status == 429);
  CHECK(exchange.reply.header("Retry-After") == "3");
  CHECK(exchange.reply.header("X-Other").empty());
  CHECK(exchange.reply.headers.size() == 1);
  CHECK(exchange.reply.body == body);
}

TEST_CASE("http: method and headers from the spec are sent") {
  Seen seen;
  LoopbackServer server(respond(http::status::accepted, &seen));
  const ProbeResult result =
      testing::run_single(http_probe(server.url(), ", method: POST, headers: {X-Probe: netprobe, Accept: text/plain}"));
  CHECK(result.outcome == Outcome::ok);
  const auto request = seen.last();
  CHECK(request.method() == http::verb::post);
  CHECK(request["X-Probe"] == "netprobe");
  CHECK(request[http::field::accept] == "text/plain");
}

TEST_CASE("http: 404 is http_status, with the status in the detail") {
  LoopbackServer server(respond(http::status::not_found));
  const ProbeResult result = testing::run_single(http_probe(server.url("/metrics")));
  CHECK(result.outcome == Outcome::http_status);
  CHECK_FALSE(result.success);
  CHECK(result.detail == "GET " + server.url("/metrics") + ": 404 Not Found (expected 200-399)");
}

TEST_CASE("http: expect_status sets which statuses are ok") {
  LoopbackServer server(respond(http::status::service_unavailable));
  const ProbeResult expected = testing::run_single(http_probe(server.url(), ", expect_status: ['500-503']"));
  CHECK(expected.outcome == Outcome::ok);
  const ProbeResult listed = testing::run_single(http_probe(server.url(), ", expect_status: [200, 404]"));
  CHECK(listed.outcome == Outcome::http_status);
  CHECK(listed.detail.find("(expected 200, 404)") != std::string::npos);
}

TEST_CASE("http: a server that resets after reading the request is reset") {
  LoopbackServer server(reset_after_request);
  const ProbeResult result = testing::run_single(http_probe(server.url()));
  CHECK(result.outcome == Outcome::reset);
  CHECK_FALSE(result.success);
  INFO(result.detail);
  CHECK(result.detail.rfind("GET " + server.url() + ": ", 0) == 0);
}

TEST_CASE("http: nothing listening is refused") {
  const std::uint16_t port = testing::free_port();
  const ProbeResult result = testing::run_single(http_probe("http://127.0.0.1:" + std::to_string(port) + "/"));
  CHECK(result.outcome == Outcome::refused);
  CHECK(result.detail == "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  const ProbeResult denied =
      testing::run_single(http_probe("http://127.0.0.1:" + std::to_string(port) + "/", ", expect: deny"));
  CHECK(denied.success);
}

TEST_CASE("http: a server that never answers is a timeout, within the timeout") {
  LoopbackServer server(never_answer);
  const ProbeResult result = testing::run_single(http_probe(server.url(), ", timeout: 500ms"));
  CHECK(result.outcome == Outcome::timeout);
  CHECK(result.duration_seconds >= 0.45);
  CHECK(result.duration_seconds < 1.5);
  CHECK(result.detail == "GET " + server.url() + ": no response within 500ms");
}

TEST_CASE("https: an untrusted self-signed certificate is tls_error") {
  if (testing::find_program("openssl").empty()) {
    MESSAGE("openssl not installed; skipped");
    return;
  }
  TlsServer server("IP:127.0.0.1");
  const ProbeResult result = testing::run_single(http_probe(server.url()));
  CHECK(result.outcome == Outcome::tls_error);
  CHECK(result.transport == "https");
  CHECK(result.detail == "TLS handshake with 127.0.0.1:" + std::to_string(server.port) +
                             " failed: certificate verify failed: self-signed certificate");
}

TEST_CASE("https: a trusted certificate is ok, and its name must match the host") {
  if (testing::find_program("openssl").empty()) {
    MESSAGE("openssl not installed; skipped");
    return;
  }
  SUBCASE("the certificate names 127.0.0.1") {
    TlsServer server("DNS:localhost,IP:127.0.0.1");
    ProbeEnv env;
    env.add_ca_file(server.cert);
    const ProbeResult result = testing::run_single(http_probe(server.url()), env);
    CHECK(result.outcome == Outcome::ok);
    CHECK(result.detail == "GET " + server.url() + ": 200 ok");
  }
  SUBCASE("the certificate names only localhost") {
    TlsServer server("DNS:localhost");
    ProbeEnv env;
    env.add_ca_file(server.cert);
    const ProbeResult result = testing::run_single(http_probe(server.url()), env);
    CHECK(result.outcome == Outcome::tls_error);
    CHECK(result.detail == "TLS handshake with 127.0.0.1:" + std::to_string(server.port) +
                               " failed: certificate does not match host 127.0.0.1");
  }
}
