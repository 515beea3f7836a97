// HttpServer against real client sockets on loopback: what a handler sees when
// its client leaves, stays, pipelines, or the server stops under it.
#include "io/http_server.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

using namespace netprobe;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kTestBound = std::chrono::seconds{20};  // io.run_for: a broken server fails, never hangs

// A handler that waits `hold` before answering its path, and records how its wait ended.
struct SlowHandler {
  std::chrono::milliseconds hold;
  int started = 0;
  int finished = 0;
  int cancelled = 0;

  asio::awaitable<HttpResponse> operator()(HttpRequest request) {
    ++started;
    asio::steady_timer timer(co_await asio::this_coro::executor, hold);
    auto [error] = co_await timer.async_wait(use_tuple);
    if (error == asio::error::operation_aborted) ++cancelled;
    ++finished;
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = std::string(request.path());
    co_return response;
  }
};

HttpServer::Options admit_all() {
  HttpServer::Options options;
  options.admit = [](const HttpRequest&) { return Admission{std::nullopt, 0, true}; };
  return options;
}

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(use_tuple);
}

// (Assertions that throw, REQUIRE, would vanish inside a detached coroutine;
// the coroutines here record, and the test body checks.)
// Polls `condition` every 5 ms until it holds or `limit` passes.
template <typename Condition>
asio::awaitable<bool> eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds{5}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    co_await pause(std::chrono::milliseconds{5});
  }
  co_return true;
}

asio::awaitable<tcp::socket> connect_to(std::uint16_t port) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  co_return socket;
}

asio::awaitable<std::string> read_all(tcp::socket& socket) {
  std::string text;
  co_await asio::async_read(socket, asio::dynamic_buffer(text), use_tuple);  // to end of stream, or an error
  co_return text;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

}  // namespace

TEST_CASE("http server: a handler is cancelled as soon as its client leaves") {
  asio::io_context io;
  SlowHandler handler{std::chrono::minutes{10}};
  HttpServer server(io.get_executor(), std::ref(handler), admit_all());
  server.listen("127.0.0.1:0");
  server.start();
  bool ended = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket client = co_await connect_to(server.port());
        co_await asio::async_write(client, asio::buffer(std::string("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")),
                                   asio::use_awaitable);
        if (co_await eventually([&] { return handler.started == 1; })) {
          client.close();
          ended = co_await eventually([&] { return handler.finished == 1; });
        }
        server.stop();
      },
      asio::detached);
  io.run_for(kTestBound);
  CHECK(ended);
  CHECK(handler.cancelled == 1);
}

TEST_CASE("http server: a client that stays gets both answers of two pipelined requests") {
  asio::io_context io;
  SlowHandler handler{std::chrono::milliseconds{30}};
  HttpServer server(io.get_executor(), std::ref(handler), admit_all());
  server.listen("127.0.0.1:0");
  server.start();
  std::string answers;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket client = co_await connect_to(server.port());
        // The second request arrives while the first is handled: the server
        // must not take it for a client leaving, nor lose its bytes.
        co_await asio::async_write(client,
                                   asio::buffer(std::string("GET /first HTTP/1.1\r\nHost: t\r\n\r\n"
                                                            "GET /second HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")),
                                   asio::use_awaitable);
        answers = co_await read_all(client);
        server.stop();
      },
      asio::detached);
  io.run_for(kTestBound);
  CHECK(count_of(answers, "HTTP/1.1 200") == 2);
  CHECK(answers.find("/first") < answers.find("/second"));
  CHECK(handler.cancelled == 0);
}

TEST_CASE("http server: stopping lets a request being handled finish and answer") {
  asio::io_context io;
  SlowHandler handler{std::chrono::milliseconds{100}};
  HttpServer server(io.get_executor(), std::ref(handler), admit_all());
  server.listen("127.0.0.1:0");
  server.start();
  std::string answer;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket client = co_await connect_to(server.port());
        co_await asio::async_write(client, asio::buffer(std::string("GET /draining HTTP/1.1\r\nHost: t\r\n\r\n")),
                                   asio::use_awaitable);
        co_await eventually([&] { return handler.started == 1; });  // the answer's checks fail if not
        server.stop();
        answer = co_await read_all(client);
      },
      asio::detached);
  io.run_for(kTestBound);
  CHECK(handler.cancelled == 0);
  CHECK(answer.starts_with("HTTP/1.1 200"));
  CHECK(answer.find("Connection: close") != std::string::npos);
  CHECK(answer.ends_with("/draining"));
}

namespace {

// A body of `count` pieces, "piece 0 …", "piece 1 …", made as the server asks for them.
HttpResponse pieces_response(int count, int* made) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body_pieces = [count, made, next = 0](std::string& piece) mutable {
    piece += "piece " + std::to_string(next) + " " + std::string(10'000, 'x') + "\n";
    ++*made;
    return ++next < count;
  };
  return response;
}

std::string expected_pieces(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "piece " + std::to_string(i) + " " + std::string(10'000, 'x') + "\n";
  return text;
}

using Reply = http::response<http::string_body>;

// Sends `requests` on one connection, then reads `count` answers with Beast's
// parser, the first `heads` of them answers to HEAD requests (no body,
// whatever their header says). Stops `server` once done.
asio::awaitable<std::vector<Reply>> exchange(HttpServer& server, std::string requests, int count, int heads = 0) {
  std::vector<Reply> replies;
  tcp::socket client = co_await connect_to(server.port());
  co_await asio::async_write(client, asio::buffer(requests), asio::use_awaitable);
  beast::flat_buffer buffer;
  for (int i = 0; i < count; ++i) {
    http::response_parser<http::string_body> parser;
    parser.skip(i < heads);
    auto [error, read] = co_await http::async_read(client, buffer, parser, use_tuple);
    if (error) break;
    replies.push_back(parser.release());
  }
  server.stop();
  co_return replies;
}

}  // namespace

TEST_CASE("http server: a body made in pieces goes out chunked, and the connection carries on") {
  asio::io_context io;
  int made = 0;
  HttpServer server(
      io.get_executor(), [&](HttpRequest) -> asio::awaitable<HttpResponse> { co_return pieces_response(5, &made); },
      admit_all());
  server.listen("127.0.0.1:0");
  server.start();
  std::vector<Reply> replies;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        replies = co_await exchange(server,
                                    "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
                                    "GET /b HTTP/1.0\r\nHost: t\r\n\r\n",
                                    2);
      },
      asio::detached);
  io.run_for(kTestBound);
  REQUIRE(replies.size() == 2);
  CHECK(replies[0].chunked());  // HTTP/1.1: one chunk per piece
  CHECK(replies[0].body() == expected_pieces(5));
  CHECK_FALSE(replies[1].chunked());  // HTTP/1.0 has no chunks: the pieces joined, with a length
  CHECK(replies[1][http::field::content_length] == std::to_string(expected_pieces(5).size()));
  CHECK(replies[1].body() == expected_pieces(5));
  CHECK(made == 10);
}

TEST_CASE("http server: a HEAD answer is a GET's header without its body, and the next answer follows it") {
  asio::io_context io;
  int made = 0;
  HttpServer server(
      io.get_executor(),
      [&](HttpRequest request) -> asio::awaitable<HttpResponse> {
        if (request.path() == "/pieces") co_return pieces_response(3, &made);
        HttpResponse response;
        response.content_type = "text/plain";
        response.body = "whole body\n";
        co_return response;
      },
      admit_all());
  server.listen("127.0.0.1:0");
  server.start();
  std::vector<Reply> replies;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        replies = co_await exchange(server,
                                    "HEAD /whole HTTP/1.1\r\nHost: t\r\n\r\n"
                                    "HEAD /pieces HTTP/1.1\r\nHost: t\r\n\r\n"
                                    "GET /whole HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                                    3, 2);
      },
      asio::detached);
  io.run_for(kTestBound);
  REQUIRE(replies.size() == 3);
  CHECK(replies[0][http::field::content_length] == "11");  // what the GET carries
  CHECK(replies[1].chunked());
  CHECK(made == 0);  // nobody asked for the pieces
  // Had either HEAD answer carried a body, its bytes would have been read as this answer.
  CHECK(replies[2].result_int() == 200);
  CHECK(replies[2].body() == "whole body\n");
}
