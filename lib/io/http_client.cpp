#include "http_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "io/allowed_addresses.hpp"
#include "io/dns_client.hpp"
#include "io/error_outcome.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// What the read buffer may hold beyond what the parser has taken: far more than
// any header line or chunk header needs (Beast bounds a header at 8 KiB).
constexpr std::size_t kReadBufferLimit = 1 << 20;
// What the first read asks for. Beast reads 512 bytes into an empty buffer, so
// a 1.5 KB reply took four recvmsg calls; most replies fit in one read of this.
constexpr std::size_t kFirstReadSize = 4 * 1024;
constexpr std::string_view kUserAgent = "netprobe/" NETPROBE_VERSION;

bool is_ip_literal(const std::string& host) {
  error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

Millis remaining(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
  return left > Millis{0} ? left : Millis{0};
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

// What went wrong, without the "(SSL routines)" suffix Asio adds to OpenSSL
// reasons and with Beast's terse stream errors said the way people say them.
std::string error_text(const error_code& error) {
  if (error.category() == asio::error::get_ssl_category()) {
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(error.value()))) return reason;
  }
  if (error == http::error::end_of_stream || error == asio::error::eof) return "connection closed by the server";
  if (error == http::error::partial_message) return "connection closed in the middle of the response";
  if (error == asio::ssl::error::stream_truncated) return "connection closed without a TLS close_notify";
  return error.message();
}

std::string timeout_text(HttpPhase phase, Millis budget) {
  const std::string within = " within " + format_duration(budget);
  switch (phase) {
    case HttpPhase::request: return "could not send the request" + within;
    case HttpPhase::response: return "no response" + within;
    default: return "no answer" + within;
  }
}

ClientExchange failure(HttpPhase phase, const error_code& error, const ClientOptions& options, std::string peer) {
  ClientExchange exchange;
  exchange.phase = phase;
  exchange.peer = std::move(peer);
  exchange.outcome = classify_error(error, phase == HttpPhase::request || phase == HttpPhase::response);
  exchange.error = exchange.outcome == Outcome::timeout ? timeout_text(phase, options.budget) : error_text(error);
  return exchange;
}

std::string default_host_header(const ClientRequest& request) {
  const bool default_port = request.port == (request.tls ? 443 : 80);
  if (!default_port) return authority(request);
  return request.host.find(':') != std::string::npos ? "[" + request.host + "]" : request.host;
}

http::request<http::string_body> build_request(const ClientRequest& request) {
  http::request<http::string_body> message;
  const http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    message.method_string(request.method);
  } else {
    message.method(verb);
  }
  message.target(request.target);
  message.version(11);
  message.set(http::field::host, request.host_header.empty() ? default_host_header(request) : request.host_header);
  message.set(http::field::user_agent, kUserAgent);
  message.set(http::field::connection, "close");
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();  // "Content-Length: 0" on a body-less PUT, as IMDSv2 expects
  return message;
}

// Hands a body to options.on_body as it arrives, a buffer at a time, until it
// ends, the deadline passes, the connection breaks or on_body has had enough.
// How it ended is not an error of the exchange: the status was an answer, and
// a stream's end is the caller's to interpret (a watch is simply renewed).
// Returns why it ended when that was a failure of the stream ("" otherwise).
template <class Stream>
asio::awaitable<std::string> stream_body(Stream& stream, beast::flat_buffer& buffer,
                                         http::response_parser<http::buffer_body>& parser, const ClientOptions& options) {
  std::array<char, 16 * 1024> piece{};
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    auto [error, read] = co_await http::async_read_some(stream, buffer, parser, kAsTuple);
    const std::size_t filled = piece.size() - parser.get().body().size;
    if (filled > 0 && !options.on_body(std::string_view(piece.data(), filled))) co_return "";
    if (error == http::error::need_buffer) continue;
    if (error == beast::error::timeout) co_return "";  // the deadline: the caller's bound, not a fault
    if (error) co_return error_text(error);
  }
  co_return "";
}

// Writes the request and reads the response on a connected (and, for https,
// handshaken) stream. `Stream` is beast::tcp_stream or an ssl::stream over one.
template <class Stream>
asio::awaitable<ClientExchange> send_and_receive(Stream& stream, const ClientRequest& request,
                                               const ClientOptions& options, const std::string& peer) {
  auto message = build_request(request);
  beast::get_lowest_layer(stream).expires_at(options.deadline);
  auto [write_error, written] = co_await http::async_write(stream, message, kAsTuple);
  if (write_error) co_return failure(HttpPhase::request, write_error, options, peer);

  // Bounded: Beast keeps a header line, a chunk-size line or a trailer in the
  // buffer until it ends, and a server that never ends one would grow it forever.
  beast::flat_buffer buffer(kReadBufferLimit);
  buffer.reserve(kFirstReadSize);
  beast::get_lowest_layer(stream).expires_at(options.deadline);
  http::response_parser<http::buffer_body> header_parser;
  header_parser.body_limit(boost::none);  // a stream's body is never held whole; see below
  if (message.method() == http::verb::head) header_parser.skip(true);  // a HEAD reply announces a body it never sends
  auto [header_error, header_read] = co_await http::async_read_header(stream, buffer, header_parser, kAsTuple);
  if (header_error) co_return failure(HttpPhase::response, header_error, options, peer);

  ClientExchange exchange;
  exchange.outcome = Outcome::ok;
  exchange.phase = HttpPhase::response;
  exchange.peer = peer;
  exchange.reply.status = static_cast<int>(header_parser.get().result_int());
  exchange.reply.reason = std::string(header_parser.get().reason());
  for (const auto& field : header_parser.get()) {
    const auto kept = [&field](std::string_view name) { return beast::iequals(field.name_string(), name); };
    if (std::ranges::any_of(options.keep_headers, kept)) {
      exchange.reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
  }
  if (options.on_body && exchange.reply.status == 200) {
    if (options.stream_deadline) beast::get_lowest_layer(stream).expires_at(*options.stream_deadline);
    exchange.reply.stream_error = co_await stream_body(stream, buffer, header_parser, options);
    co_return exchange;
  }

  http::response_parser<http::string_body> parser(std::move(header_parser));
  parser.body_limit(options.body_limit);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kAsTuple);
  // A body longer than we care to read still came with a status: that is an answer.
  if (read_error && read_error != http::error::body_limit) {
    co_return failure(HttpPhase::response, read_error, options, peer);
  }
  exchange.reply.body_truncated = read_error == http::error::body_limit;
  exchange.reply.body = std::move(parser.get().body());  // no second copy of a large body
  if (exchange.reply.body.size() > options.body_limit) exchange.reply.body.resize(options.body_limit);
  co_return exchange;
}

// Connects to the first endpoint that answers; `peer` names it afterwards.
asio::awaitable<error_code> connect(beast::tcp_stream& stream, const std::vector<tcp::endpoint>& endpoints,
                                    const ClientOptions& options, std::string& peer) {
  stream.expires_at(options.deadline);
  auto [error, connected] = co_await stream.async_connect(endpoints, kAsTuple);
  if (!error) peer = endpoint_text(connected);
  co_return error;
}

// Registers a stream with options.aborts for as long as it lives.
class AbortRegistration {
 public:
  AbortRegistration(ExchangeAborts* aborts, std::function<void()> cancel) : aborts_(aborts) {
    if (aborts_ != nullptr) id_ = aborts_->add(std::move(cancel));
  }
  ~AbortRegistration() {
    if (aborts_ != nullptr) aborts_->remove(id_);
  }
  AbortRegistration(const AbortRegistration&) = delete;
  AbortRegistration& operator=(const AbortRegistration&) = delete;

 private:
  ExchangeAborts* aborts_;
  std::size_t id_ = 0;
};

ClientExchange aborted_exchange() {
  ClientExchange exchange;
  exchange.phase = HttpPhase::connect;
  exchange.error = "stopped";
  return exchange;
}

asio::awaitable<ClientExchange> plain_exchange(const std::vector<tcp::endpoint>& endpoints,
                                             const ClientRequest& request, const ClientOptions& options) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  if (options.aborts != nullptr && options.aborts->aborted()) co_return aborted_exchange();
  const AbortRegistration registered(options.aborts, [&stream] { stream.cancel(); });
  std::string peer;
  if (const error_code error = co_await connect(stream, endpoints, options, peer)) {
    co_return failure(HttpPhase::connect, error, options, "");
  }
  co_return co_await send_and_receive(stream, request, options, peer);
}

// SSL_set_tlsext_host_name() without its C cast; OpenSSL copies the name.
bool set_server_name(SSL* ssl, const std::string& host) {
  void* name = const_cast<char*>(host.c_str());
  return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name) == 1;
}

// Why the handshake failed, as precisely as OpenSSL lets us say.
std::string tls_failure_text(SSL* ssl, const error_code& error, const std::string& server_name, bool name_mismatch) {
  if (name_mismatch) return "certificate does not match host " + server_name;
  const long verify_result = SSL_get_verify_result(ssl);
  if (verify_result != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify_result);
  }
  return error_text(error);
}

asio::awaitable<ClientExchange> tls_exchange(const std::vector<tcp::endpoint>& endpoints,
                                           const ClientRequest& request, const ClientOptions& options) {
  asio::ssl::stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, *options.tls);
  if (options.aborts != nullptr && options.aborts->aborted()) co_return aborted_exchange();
  const AbortRegistration registered(options.aborts, [&stream] { beast::get_lowest_layer(stream).cancel(); });
  const std::string& server_name = request.tls_server_name.empty() ? request.host : request.tls_server_name;
  // SNI carries host names only (RFC 6066); an IP literal is checked against the certificate's IP SANs.
  if (!is_ip_literal(server_name) && !set_server_name(stream.native_handle(), server_name)) {
    ClientExchange exchange;
    exchange.phase = HttpPhase::tls;
    exchange.error = "cannot set TLS server name " + server_name;
    co_return exchange;
  }
  // Wraps Asio's check to remember that it was the name, not the chain, that failed.
  auto name_mismatch = std::make_shared<bool>(false);
  if (options.insecure_skip_verify) {
    stream.set_verify_mode(asio::ssl::verify_none);  // this stream only; the context stays verifying
  } else {
    stream.set_verify_callback([check = asio::ssl::host_name_verification(server_name), name_mismatch](
                                   bool preverified, asio::ssl::verify_context& context) {
      const bool verified = check(preverified, context);
      if (preverified && !verified) *name_mismatch = true;
      return verified;
    });
  }

  std::string peer;
  if (const error_code error = co_await connect(beast::get_lowest_layer(stream), endpoints, options, peer)) {
    co_return failure(HttpPhase::connect, error, options, "");
  }
  beast::get_lowest_layer(stream).expires_at(options.deadline);
  auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::client, kAsTuple);
  if (handshake_error) {
    ClientExchange exchange = failure(HttpPhase::tls, handshake_error, options, peer);
    if (exchange.outcome == Outcome::tls_error) {
      exchange.error = tls_failure_text(stream.native_handle(), handshake_error, server_name, *name_mismatch);
    }
    co_return exchange;
  }
  // No TLS shutdown afterwards: we have what we came for, and closing is enough.
  co_return co_await send_and_receive(stream, request, options, peer);
}

}  // namespace

std::string_view to_string(HttpPhase phase) {
  switch (phase) {
    case HttpPhase::resolve: return "resolve";
    case HttpPhase::connect: return "connect";
    case HttpPhase::tls: return "tls";
    case HttpPhase::request: return "request";
    case HttpPhase::response: return "response";
  }
  return "unknown";
}

ClientRequest request_under(const HttpUrl& base, std::string method, std::string_view path) {
  ClientRequest request = request_for(base, std::move(method));
  request.target = (base.target == "/" ? std::string() : base.target) + std::string(path);
  return request;
}

ClientRequest request_for(const HttpUrl& url, std::string method) {
  ClientRequest request;
  request.host = url.host;
  request.port = url.port;
  request.tls = url.tls;
  request.host_header = url.host_header;
  request.method = std::move(method);
  request.target = url.target;
  return request;
}

ClientRequest request_to(const Endpoint& address, std::string method, std::string target) {
  ClientRequest request;
  request.host = address.host;
  request.port = address.port;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

void add_bearer_token(ClientRequest& request, std::string_view token) {
  request.headers.emplace_back("Authorization", "Bearer " + std::string(token));
}

void set_json_body(ClientRequest& request, std::string body) {
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
}

std::size_t ExchangeAborts::add(std::function<void()> cancel) {
  cancels_.emplace_back(next_id_, std::move(cancel));
  return next_id_++;
}

void ExchangeAborts::remove(std::size_t id) {
  std::erase_if(cancels_, [id](const auto& entry) { return entry.first == id; });
}

void ExchangeAborts::abort_all() {
  aborted_ = true;
  const auto cancels = cancels_;  // a cancel may complete an exchange that removes itself
  for (const auto& [id, cancel] : cancels) cancel();
}

std::string ClientReply::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, name)) return value;
  }
  return "";
}

std::string authority(const ClientRequest& request) {
  return Endpoint{request.host, request.port}.to_string();
}

std::string request_url(const ClientRequest& request) {
  const std::string host = request.host_header.empty() ? default_host_header(request) : request.host_header;
  return std::string(request.tls ? "https://" : "http://") + host + request.target;
}

std::string describe_failure(const ClientRequest& request, const ClientExchange& exchange) {
  switch (exchange.phase) {
    case HttpPhase::resolve: return "resolving " + request.host + ": " + exchange.error;
    case HttpPhase::connect: return "connect to " + authority(request) + ": " + exchange.error;
    case HttpPhase::tls: return "TLS handshake with " + authority(request) + " failed: " + exchange.error;
    case HttpPhase::request: return "sending " + request.method + " " + request_url(request) + ": " + exchange.error;
    case HttpPhase::response: return request.method + " " + request_url(request) + ": " + exchange.error;
  }
  return exchange.error;
}

asio::awaitable<ClientExchange> http_exchange(const ClientRequest& request, const ClientOptions& options) {
  if (request.tls && options.tls == nullptr) {
    ClientExchange exchange;
    exchange.phase = HttpPhase::tls;
    exchange.error = "no TLS context configured";
    co_return exchange;
  }
  HostAddresses host = co_await resolve_host(request.host, remaining(options.deadline), options.resolver_servers);
  if (!host.error.empty() || host.addresses.empty()) {
    ClientExchange exchange;
    exchange.outcome = Outcome::resolve_error;
    exchange.phase = HttpPhase::resolve;
    exchange.error = host.error.empty() ? "no addresses" : host.error;
    co_return exchange;
  }
  if (options.allowed != nullptr) {
    if (std::string refused = keep_allowed(host, request.host, *options.allowed); !refused.empty()) {
      ClientExchange exchange;
      exchange.outcome = Outcome::error;
      exchange.phase = HttpPhase::connect;
      exchange.error = "not connecting: " + refused;
      co_return exchange;
    }
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& address : host.addresses) endpoints.emplace_back(address, request.port);
  if (request.tls) co_return co_await tls_exchange(endpoints, request, options);
  co_return co_await plain_exchange(endpoints, request, options);
}

}  // namespace netprobe
