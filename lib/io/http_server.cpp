#include "http_server.hpp"

#include <stdexcept>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/connection_table.hpp"
#include "core/endpoint.hpp"
#include "core/log_throttle.hpp"
#include "log.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Beast reads at most this much at a time; the read buffer holds a header and one read.
constexpr std::size_t kReadChunk = 64 << 10;
constexpr auto kAcceptBackoffFirst = std::chrono::milliseconds{10};
constexpr auto kAcceptBackoffMax = std::chrono::milliseconds{1'000};
constexpr auto kLogEvery = std::chrono::seconds{10};

using Parser = http::request_parser<http::string_body>;

template <class Body>
http::response<Body> response_head(const HttpResponse& response, unsigned version, bool keep_alive) {
  http::response<Body> out{static_cast<http::status>(response.status), version};
  out.set(http::field::server, "netprobe");
  out.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) out.set(name, value);
  out.keep_alive(keep_alive);
  return out;
}

http::response<http::string_body> to_beast(HttpResponse response, unsigned version, bool keep_alive) {
  auto out = response_head<http::string_body>(response, version, keep_alive);
  if (response.body_pieces) {  // HTTP/1.0 has no chunks (see write_response): the pieces joined
    while (response.body_pieces(response.body)) {
    }
  }
  out.body() = std::move(response.body);
  out.prepare_payload();
  return out;
}

// Sends `response`; a body made in pieces goes to an HTTP/1.1 client as one
// chunk per piece, each made once the last is sent. The answer to a HEAD
// request is the header a GET would get, without the body (RFC 9110 9.3.2):
// a keep-alive client would take the body's bytes for its next response.
asio::awaitable<boost::system::error_code> write_response(beast::tcp_stream& stream, HttpResponse response,
                                                          unsigned version, bool keep_alive, bool head_only) {
  if (!response.body_pieces || version < 11) {
    auto out = to_beast(std::move(response), version, keep_alive);
    if (head_only) {
      http::response_serializer<http::string_body> serializer(out);
      auto [error, written] = co_await http::async_write_header(stream, serializer, use_tuple);
      co_return error;
    }
    auto [error, written] = co_await http::async_write(stream, out, use_tuple);
    co_return error;
  }
  auto head = response_head<http::empty_body>(response, version, keep_alive);
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer(head);
  auto [error, written] = co_await http::async_write_header(stream, serializer, use_tuple);
  if (head_only) co_return error;
  std::string piece;
  for (bool more = true; more && !error;) {
    piece.clear();  // keeps its capacity: the pieces share one buffer
    more = response.body_pieces(piece);
    if (!piece.empty()) {
      std::tie(error, written) = co_await asio::async_write(stream, http::make_chunk(asio::buffer(piece)), use_tuple);
    }
  }
  if (!error) std::tie(error, written) = co_await asio::async_write(stream, http::make_chunk_last(), use_tuple);
  co_return error;
}

HttpRequest head_of(const Parser::value_type& request, const std::string& client) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  out.authorization = std::string(request[http::field::authorization]);
  out.content_type = std::string(request[http::field::content_type]);
  out.remote_address = client;
  return out;
}

// The name of the first header whose value holds a control byte, if any.
std::optional<std::string> unclean_header(const Parser::value_type& request) {
  for (const auto& field : request) {
    if (!header_value_is_clean(field.value())) return std::string(field.name_string());
  }
  return std::nullopt;
}

HttpResponse body_too_large(std::size_t limit) {
  return error_response(413, "body_too_large",
                        limit == 0 ? "this path takes no request body"
                                   : "request body exceeds " + std::to_string(limit) + " bytes");
}

HttpResponse busy() {
  HttpResponse response = error_response(503, "busy", "too many request bodies in flight; retry shortly");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

// What to answer a request that could not be read, or nullopt when nobody is
// there to answer (closed, reset, timed out).
std::optional<HttpResponse> answer_to_read_error(const boost::system::error_code& error, std::size_t body_limit) {
  if (error == http::error::body_limit) return body_too_large(body_limit);
  if (error == http::error::header_limit) return error_response(431, "headers_too_large", "request headers too large");
  if (error == http::error::buffer_overflow) return error_response(431, "headers_too_large", "request headers too large");
  if (error.category() == http::make_error_code(http::error::bad_target).category() &&
      error != http::error::end_of_stream && error != http::error::partial_message) {
    return error_response(400, "bad_request", "malformed HTTP request: " + error.message());
  }
  return std::nullopt;
}

bool out_of_descriptors(const boost::system::error_code& error) {
  return error == asio::error::no_descriptors || error.value() == ENFILE || error == asio::error::no_buffer_space ||
         error == asio::error::no_memory;
}

// Bytes of a body admitted against the shared budget, given back however the request ends.
class BodyReservation {
 public:
  BodyReservation(std::size_t& in_use, std::size_t bytes) : in_use_(in_use), bytes_(bytes) { in_use_ += bytes_; }
  ~BodyReservation() { in_use_ -= bytes_; }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

 private:
  std::size_t& in_use_;
  std::size_t bytes_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::any_io_executor executor_in, Handler handler_in, Options options_in)
      : executor(std::move(executor_in)),
        acceptor(executor),
        backoff(executor),
        handler(std::move(handler_in)),
        options(std::move(options_in)),
        connections({options.max_connections, options.max_connections_per_client}) {}

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  asio::steady_timer backoff;
  Handler handler;
  Options options;
  ConnectionTable connections;
  std::unordered_map<ConnectionTable::Id, beast::tcp_stream*> streams;  // to close on eviction and stop()
  std::size_t body_memory_in_use = 0;
  LogThrottle accept_failures{kLogEvery};
  LogThrottle refusals{kLogEvery};
  bool stopped = false;

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    Clock::duration wait{};
    while (!stopped) {
      auto [error, socket] = co_await acceptor.async_accept(use_tuple);
      if (error) {
        if (stopped || error == asio::error::operation_aborted) break;
        // Out of descriptors, the listener stays readable: accepting again at
        // once spins a core. Serve what we have and try again later.
        wait = wait == Clock::duration{} ? Clock::duration{kAcceptBackoffFirst}
                                         : std::min<Clock::duration>(wait * 2, kAcceptBackoffMax);
        if (auto left_out = accept_failures.admit(Clock::now())) {
          log::warn("accept failed; backing off",
                    {{"error", error.message()}, {"open_connections", connections.size()},
                     {"retry_in_ms", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()},
                     {"left_out", *left_out}, {"out_of_descriptors", out_of_descriptors(error)}});
        }
        backoff.expires_after(wait);
        co_await backoff.async_wait(use_tuple);
        continue;
      }
      wait = {};
      take(std::move(socket));
    }
  }

  void take(tcp::socket socket) {
    boost::system::error_code error;
    const tcp::endpoint remote = socket.remote_endpoint(error);
    if (error) return;  // already gone
    std::string client = remote.address().to_string();
    const ConnectionTable::Decision decision = connections.open(client, Clock::now());
    if (decision.refusal != ConnectionTable::Refusal::none) {
      if (auto left_out = refusals.admit(Clock::now())) {
        log::warn("connection refused", {{"client", client},
                                         {"reason", decision.refusal == ConnectionTable::Refusal::client_limit
                                                        ? "too many connections from this client"
                                                        : "too many connections being served"},
                                         {"left_out", *left_out}});
      }
      socket.close(error);
      return;
    }
    if (decision.evicted) {
      if (auto it = streams.find(*decision.evicted); it != streams.end()) {
        it->second->socket().close(error);  // its pending read ends; the session cleans up
        streams.erase(it);
      }
    }
    asio::co_spawn(executor, session(std::move(socket), decision.id, std::move(client)), asio::detached);
  }

  asio::awaitable<HttpResponse> respond(HttpRequest request) {
    std::string failure;
    try {
      co_return co_await handler(std::move(request));
    } catch (const std::exception& error) {
      failure = error.what();
    }
    // A handler cancelled because its client left may end in operation_aborted:
    // nobody is there to read the answer, and nothing failed.
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() == asio::cancellation_type::none) {
      log::error("request handler failed", {{"error", failure}});
    }
    co_return error_response(500, "internal", "internal error");
  }

  // Completes when the client closes or resets the connection while its
  // request is being handled, so that a handler waiting on probes (a one-shot,
  // an ad hoc fan-out) is cancelled rather than run to its deadline for nobody.
  // Bytes the client already sent (a pipelined request) are only peeked at,
  // left for the next read. When nothing can be told (the server is stopping
  // and cancelled the wait), it waits to be cancelled itself: an answer in
  // progress is still given.
  asio::awaitable<void> client_left(tcp::socket& socket) {
    auto [wait_error] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple);
    if (!wait_error) {
      char byte = 0;
      boost::system::error_code peek_error;
      const std::size_t peeked = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, peek_error);
      if (peeked == 0 && peek_error != asio::error::would_block) co_return;  // end of stream, or reset
    }
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none) co_return;  // the handler finished first
    asio::steady_timer until_cancelled(socket.get_executor(), asio::steady_timer::time_point::max());
    co_await until_cancelled.async_wait(use_tuple);
  }

  // Answers and ends the connection (a body left unread cannot be skipped safely).
  asio::awaitable<void> refuse(beast::tcp_stream& stream, const HttpRequest* head, HttpResponse response,
                               unsigned version) {
    if (head != nullptr && options.on_refused) options.on_refused(*head, response.status);
    stream.expires_after(options.write_timeout);
    auto out = to_beast(std::move(response), version, false);
    co_await http::async_write(stream, out, use_tuple);
  }

  asio::awaitable<void> session(tcp::socket socket, ConnectionTable::Id id, std::string client) {
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(socket));
    streams[id] = &stream;
    beast::flat_buffer buffer(options.header_limit + kReadChunk);
    while (!stopped) {
      connections.waiting(id, Clock::now());
      Parser parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      // Beast would judge a Content-Length against its own default while reading
      // the header; the route's limit is only known after admission.
      parser.body_limit(boost::none);
      stream.expires_after(options.header_timeout);
      auto [read_error, bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
      if (read_error) {
        if (auto answer = answer_to_read_error(read_error, 0)) co_await refuse(stream, nullptr, std::move(*answer), 11);
        break;
      }
      connections.serving(id);
      const unsigned version = parser.get().version();
      HttpRequest request = head_of(parser.get(), client);
      if (auto name = unclean_header(parser.get())) {
        co_await refuse(stream, &request,
                        error_response(400, "bad_request", "header " + *name + " holds a control character"), version);
        break;
      }
      Admission admission = options.admit(request);
      if (admission.refusal) {
        co_await refuse(stream, &request, std::move(*admission.refusal), version);
        break;
      }
      std::optional<BodyReservation> reservation;
      if (!parser.is_done()) {
        const auto length = parser.content_length();
        if (admission.body_limit == 0 || (length && *length > admission.body_limit)) {
          co_await refuse(stream, &request, body_too_large(admission.body_limit), version);
          break;
        }
        // A chunked body may grow to the limit: that is what it may cost.
        const std::size_t cost = length ? static_cast<std::size_t>(*length) : admission.body_limit;
        if (cost > options.body_memory - body_memory_in_use) {
          co_await refuse(stream, &request, busy(), version);
          break;
        }
        reservation.emplace(body_memory_in_use, cost);
        parser.body_limit(admission.body_limit);
        // A chunked body would grow by doubling, each step copying into a new
        // buffer while the old one lives; reserved once, only the pages the
        // body fills are ever touched. (A Content-Length body is reserved by Beast.)
        if (!length) parser.get().body().reserve(admission.body_limit);
        // A client that asks before sending a large body (curl does above 1 MiB)
        // would otherwise wait a second for a "100 Continue" that never comes.
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
          http::response<http::empty_body> go_on{http::status::continue_, version};
          stream.expires_after(options.write_timeout);
          co_await http::async_write(stream, go_on, use_tuple);
        }
        stream.expires_after(options.body_timeout);
        std::tie(read_error, bytes) = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (read_error) {
          if (auto answer = answer_to_read_error(read_error, admission.body_limit)) {
            co_await refuse(stream, &request, std::move(*answer), version);
          }
          break;
        }
      }
      request.body = std::move(parser.get().body());
      const bool keep_alive = parser.get().keep_alive();
      const bool head_only = parser.get().method() == http::verb::head;
      HttpResponse reply;
      if (admission.waits_on_network) {
        using asio::experimental::awaitable_operators::operator||;
        auto raced = co_await (respond(std::move(request)) || client_left(stream.socket()));
        if (raced.index() == 1) break;  // the client left; its handler has been cancelled and has ended
        reply = std::get<0>(std::move(raced));
      } else {
        reply = co_await respond(std::move(request));
      }
      reservation.reset();
      stream.expires_after(options.write_timeout);
      const auto write_error =
          co_await write_response(stream, std::move(reply), version, keep_alive && !stopped, head_only);
      if (write_error || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
    if (auto it = streams.find(id); it != streams.end() && it->second == &stream) streams.erase(it);
    connections.close(id);
  }
};

HttpServer::HttpServer(asio::any_io_executor executor, Handler handler, Options options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(handler), std::move(options))) {
  if (!impl_->options.admit) throw std::logic_error("HttpServer needs an admission function");
}

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

std::size_t HttpServer::open_connections() const { return impl_->connections.size(); }

void HttpServer::start() { asio::co_spawn(impl_->executor, impl_->accept_loop(), asio::detached); }

void HttpServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->backoff.cancel();
  for (auto& [id, stream] : impl_->streams) stream->socket().cancel(ignored);
}

}  // namespace netprobe
