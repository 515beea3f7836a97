#include "http_server.hpp"

#include <list>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/endpoint.hpp"
#include "log.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

http::response<http::string_body> to_beast(HttpResponse response, unsigned version, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(response.status), version};
  out.set(http::field::server, "netprobe");
  out.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) out.set(name, value);
  out.body() = std::move(response.body);  // a /metrics page can be hundreds of KB
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

HttpRequest from_beast(const http::request<http::string_body>& request, const tcp::endpoint& remote) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  out.authorization = std::string(request[http::field::authorization]);
  out.content_type = std::string(request[http::field::content_type]);
  out.body = request.body();
  out.remote_address = remote.address().to_string();
  return out;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::any_io_executor executor_in, Handler handler_in, Options options_in)
      : executor(std::move(executor_in)),
        acceptor(executor),
        handler(std::move(handler_in)),
        options(options_in) {}

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  Handler handler;
  Options options;
  std::list<beast::tcp_stream*> open;  // to close keep-alive connections on stop()
  bool stopped = false;

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [error, socket] = co_await acceptor.async_accept(use_tuple);
      if (error) {
        if (stopped || error == asio::error::operation_aborted) break;
        log::warn("accept failed", {{"error", error.message()}});
        continue;  // EMFILE and friends: keep serving what we have
      }
      if (open.size() >= options.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);  // over the cap: shed load rather than queue it
        continue;
      }
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<HttpResponse> respond(HttpRequest request) {
    try {
      co_return co_await handler(std::move(request));
    } catch (const std::exception& error) {
      log::error("request handler failed", {{"error", error.what()}});
    }
    co_return error_response(500, "internal", "internal error");
  }

  asio::awaitable<void> session(tcp::socket socket) {
    auto self = shared_from_this();
    boost::system::error_code remote_error;
    const tcp::endpoint remote = socket.remote_endpoint(remote_error);
    beast::tcp_stream stream(std::move(socket));
    const auto registration = open.insert(open.end(), &stream);
    beast::flat_buffer buffer;
    while (!stopped) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      stream.expires_after(options.read_timeout);
      auto [read_error, bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
      if (!read_error && options.admit) {
        if (auto refusal = options.admit(from_beast(parser.get(), remote), parser.content_length().value_or(0))) {
          stream.expires_after(options.write_timeout);
          auto out = to_beast(std::move(*refusal), parser.get().version(), false);
          co_await http::async_write(stream, out, use_tuple);
          break;  // the body stays unread: this connection cannot be reused
        }
      }
      if (!read_error && !parser.is_done()) {
        // A client that asks before sending a large body (curl does above 1 MiB)
        // would otherwise wait a second for a "100 Continue" that never comes.
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
          http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
          co_await http::async_write(stream, go_on, use_tuple);
        }
        std::tie(read_error, bytes) = co_await http::async_read(stream, buffer, parser, use_tuple);
      }
      if (read_error) {
        HttpResponse reply;
        if (read_error == http::error::body_limit) {
          reply = error_response(413, "body_too_large",
                                 "request body exceeds " + std::to_string(options.body_limit) + " bytes");
        } else if (read_error == http::error::header_limit) {
          reply = error_response(431, "headers_too_large", "request headers too large");
        } else if (read_error.category() == http::make_error_code(http::error::bad_target).category() &&
                   read_error != http::error::end_of_stream && read_error != http::error::partial_message) {
          reply = error_response(400, "bad_request", "malformed HTTP request: " + read_error.message());
        } else {
          break;  // closed, timed out or reset: nobody to answer
        }
        stream.expires_after(options.write_timeout);
        auto out = to_beast(std::move(reply), 11, false);
        co_await http::async_write(stream, out, use_tuple);
        break;
      }
      const auto& request = parser.get();
      HttpResponse reply = co_await respond(from_beast(request, remote));
      const bool keep_alive = request.keep_alive() && !stopped;
      auto out = to_beast(std::move(reply), request.version(), keep_alive);
      stream.expires_after(options.write_timeout);
      auto [write_error, written] = co_await http::async_write(stream, out, use_tuple);
      if (write_error || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
    open.erase(registration);
  }
};

HttpServer::HttpServer(asio::any_io_executor executor, Handler handler, Options options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(handler), options)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::listen(const std::string& address) {
  const bool any_interface = address.starts_with(':');
  auto endpoint = parse_listen_address(address);
  boost::system::error_code error;
  const auto ip = endpoint ? asio::ip::make_address(endpoint->host, error) : asio::ip::address{};
  if (!endpoint || error) {
    throw std::runtime_error("invalid listen address \"" + address + "\" (expected [host]:port)");
  }
  tcp::endpoint bind_to(ip, endpoint->port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(bind_to.protocol(), error);
  if (error && any_interface) {  // no IPv6 on this host: all IPv4 interfaces then
    bind_to = tcp::endpoint(tcp::v4(), endpoint->port);
    acceptor.open(bind_to.protocol(), error);
  }
  if (!error && bind_to.address().is_v6() && any_interface) acceptor.set_option(asio::ip::v6_only(false), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(bind_to, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw std::runtime_error("cannot listen on " + address + ": " + error.message());
}

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::start() { asio::co_spawn(impl_->executor, impl_->accept_loop(), asio::detached); }

void HttpServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (beast::tcp_stream* stream : impl_->open) stream->socket().cancel(ignored);
}

}  // namespace netprobe
