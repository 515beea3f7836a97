#pragma once
// A pool of keep-alive connections to the controller (--keepalive N), on Beast
// directly: the cheaper pattern a proxy in front of the controller would give.
#include <deque>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "common.hpp"

namespace netprobe::bench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

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

}  // namespace netprobe::bench
