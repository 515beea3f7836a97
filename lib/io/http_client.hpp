#pragma once
// One HTTP(S) request on a fresh connection, for the http and metadata probers.
// Runs on the caller's executor; every phase (resolve, connect, TLS handshake,
// write, read) is bounded by one deadline, so a probe never outlives its
// timeout. Beast stays out of this header: only http_client.cpp pays for it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/allowlist.hpp"
#include "core/duration.hpp"
#include "core/endpoint.hpp"
#include "core/outcome.hpp"
#include "core/url.hpp"

namespace boost::asio::ssl {
class context;
}

namespace netprobe {

struct ClientRequest {
  std::string host;  // host name or IP literal (IPv6 without brackets)
  std::uint16_t port = 80;
  bool tls = false;
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::string host_header;   // empty: "host" or "host:port" from host and port
  std::string tls_server_name;  // TLS: the name sent (SNI) and verified; empty: host
  std::vector<std::pair<std::string, std::string>> headers;  // set after the defaults, so they win
  std::string body;  // sent with Content-Length (controller -> agent and Alertmanager calls)
};

// The one way outgoing requests are made, so the prefix of a base URL, the
// Host header and the bearer token are handled alike everywhere.
// To `path` under a base URL (a controller's, Alertmanager's): the base's own
// path is kept, "http://host/netprobe" + "/api/v1/reports".
ClientRequest request_under(const HttpUrl& base, std::string method, std::string_view path);
// To the URL itself, path and query as they stand (the http prober).
ClientRequest request_for(const HttpUrl& url, std::string method);
// To an address, not a URL (an agent a fan-out asks, a metadata server).
ClientRequest request_to(const Endpoint& address, std::string method, std::string target);
void add_bearer_token(ClientRequest& request, std::string_view token);
void set_json_body(ClientRequest& request, std::string body);

// Lets an owner stop its exchanges in progress (the controller's watches, on
// SIGTERM): each registers how to cancel its stream while it runs. Cancelling a
// socket ends its operations once, with operation_aborted, which Beast's TLS
// read path survives; Asio's per-operation cancellation forwarded into that
// path can complete an operation twice (seen with Boost 1.81), so long-lived
// TLS streams are stopped this way. Single-threaded, as every daemon here.
class ExchangeAborts {
 public:
  std::size_t add(std::function<void()> cancel);
  void remove(std::size_t id);
  // Cancels every registered stream; exchanges started later fail at once.
  void abort_all();
  bool aborted() const { return aborted_; }

 private:
  std::vector<std::pair<std::size_t, std::function<void()>>> cancels_;
  std::size_t next_id_ = 0;
  bool aborted_ = false;
};

struct ClientOptions {
  std::chrono::steady_clock::time_point deadline;  // ends every phase
  Millis budget{0};                                // the probe's timeout, named in messages
  std::span<const Endpoint> resolver_servers;      // empty: the system resolver configuration
  boost::asio::ssl::context* tls = nullptr;        // required when the request uses TLS
  // The handshake still runs (a failure is still tls_error), but neither the
  // chain nor the name is checked: an http probe's tls.insecure_skip_verify.
  bool insecure_skip_verify = false;
  std::size_t body_limit = 64 * 1024;              // the rest of a longer body is not read
  const Allowlist* allowed = nullptr;              // one-shot probes: connect only inside it
  // Streaming (a Kubernetes watch): a 200's body goes here piece by piece as it
  // arrives, not into ClientReply::body, until it ends, the deadline passes
  // (the exchange still counts as answered) or this returns false. Any other
  // status is read whole, as without it.
  std::function<bool(std::string_view)> on_body;
  // Streaming: the body may run until then, while `deadline` bounds everything
  // up to the response's headers; so a server that takes a watch and never
  // answers it holds a connection for seconds, not for the whole watch.
  std::optional<std::chrono::steady_clock::time_point> stream_deadline;
  ExchangeAborts* aborts = nullptr;  // when set, abort_all() ends this exchange
  // The response headers ClientReply::header() can be asked for (names,
  // case-insensitive); the others are not copied. A probe needs none, and it
  // copied a dozen strings per run for nothing.
  std::span<const std::string_view> keep_headers;
};

// How far the exchange got: a failure names the phase it happened in.
enum class HttpPhase { resolve, connect, tls, request, response };
std::string_view to_string(HttpPhase phase);

struct ClientReply {
  int status = 0;
  std::string reason;  // as the server sent it, e.g. "Not Found"
  std::string body;    // at most ClientOptions::body_limit bytes
  std::vector<std::pair<std::string, std::string>> headers;  // those in ClientOptions::keep_headers
  bool body_truncated = false;  // the body went past ClientOptions::body_limit; `body` holds its start
  // Streaming (on_body): why the stream ended when it was not by its own end, the
  // deadline or on_body: "connection closed in the middle of the response", "bad chunk", …
  std::string stream_error;

  // The first header of that name (case-insensitive) among those kept, or "".
  std::string header(std::string_view name) const;
};

struct ClientExchange {
  // `ok` when a response arrived (its status is not judged here); otherwise how
  // the failing phase ended: timeout, refused, unreachable, reset, tls_error,
  // resolve_error or error.
  Outcome outcome = Outcome::error;
  HttpPhase phase = HttpPhase::resolve;  // the phase that failed, or `response` when answered
  std::string peer;                      // "address:port" once connected
  std::string error;                     // why the phase failed, for people
  ClientReply reply;                       // when answered

  bool answered() const { return outcome == Outcome::ok; }
};

boost::asio::awaitable<ClientExchange> http_exchange(const ClientRequest& request, const ClientOptions& options);

// "host:port" with IPv6 brackets, as people write it.
std::string authority(const ClientRequest& request);

// A line for people on a failed exchange, naming the phase and the peer:
// "connect to 127.0.0.1:8080: connection refused",
// "TLS handshake with 127.0.0.1:8443 failed: certificate verify failed: self-signed certificate",
// "GET http://127.0.0.1:8080/: no response within 2s".
std::string describe_failure(const ClientRequest& request, const ClientExchange& exchange);

// "http://127.0.0.1:8080/metrics", rebuilt from the request for messages.
std::string request_url(const ClientRequest& request);

}  // namespace netprobe
