// The HTTP server's request path, whole: the fuzzer's bytes go over a real
// loopback connection into HttpServer (head parsing, admission, body limits
// while reading, chunked bodies, control bytes, keep-alive pipelining) and the
// controller's own routing and report parsing behind it. A crash, a sanitizer
// report, a hang or runaway memory is a finding; any answer is fine.
#include <chrono>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "controller/api.hpp"
#include "core/store.hpp"
#include "fuzz_target.hpp"
#include "io/http_server.hpp"
#include "io/log.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct Fixture {
  Fixture() {
    netprobe::log::set_level(netprobe::LogLevel::error);
    config.adhoc.allowlist = netprobe::Allowlist({*netprobe::parse_cidr("127.0.0.0/8")}, {".cluster.local"});
    server = std::make_unique<netprobe::HttpServer>(
        io.get_executor(),
        [this](netprobe::HttpRequest request) -> asio::awaitable<netprobe::HttpResponse> {
          auto route = netprobe::route_controller_request(request, tokens, config, true);
          if (auto* response = std::get_if<netprobe::HttpResponse>(&route)) co_return *response;
          if (auto* accept = std::get_if<netprobe::AcceptReport>(&route)) {
            co_return netprobe::report_accepted_response(store.apply(accept->report, {}, request.remote_address), config);
          }
          co_return netprobe::HttpResponse{};
        },
        netprobe::HttpServer::Options{.header_timeout = netprobe::Millis{200},
                                      .body_timeout = netprobe::Millis{200},
                                      .write_timeout = netprobe::Millis{200},
                                      .admit = [this](const netprobe::HttpRequest& head) {
                                        return netprobe::admit_controller_request(head, tokens);
                                      },
                                      .on_refused = nullptr});
    server->listen("127.0.0.1:0");
    server->start();
  }

  asio::io_context io{1};
  netprobe::ControllerTokens tokens{"agent-token", "api-token"};
  netprobe::ControllerConfig config;
  netprobe::Store store;
  std::unique_ptr<netprobe::HttpServer> server;
};

// Sends the bytes, half-closes (an unfinished request ends at once, not on a
// deadline), and reads whatever comes back until the server closes.
asio::awaitable<void> exchange(std::uint16_t port, std::string bytes, bool& done) {
  tcp::socket socket(co_await asio::this_coro::executor);
  auto [connect_error] = co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, use_tuple);
  if (!connect_error) {
    co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::string answer;
    auto buffer = asio::dynamic_buffer(answer, 1 << 20);
    co_await asio::async_read(socket, buffer, use_tuple);
  }
  done = true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  bool done = false;
  asio::co_spawn(fixture.io, exchange(fixture.server->port(), std::string(netprobe::fuzz::as_text(data, size)), done),
                 asio::detached);
  while (!done) fixture.io.run_one();
  return 0;
}
