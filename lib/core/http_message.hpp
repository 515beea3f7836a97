#pragma once
// HTTP requests and responses as plain data, so request routing (agent and
// controller APIs) is a pure function tested without sockets. The Beast
// server in lib/io converts to and from these.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace netprobe {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/api/v1/status?probe=x"
  std::string authorization;
  std::string content_type;
  std::string body;
  std::string remote_address;

  std::string_view path() const;  // target without the query
  // The query's parameters, percent-decoded, in order; nullopt when the target
  // is not a valid origin-form (RFC 9112 3.2.1), e.g. a stray '%'.
  std::optional<std::vector<std::pair<std::string, std::string>>> query() const;
};

// False when a header value holds a control byte other than a tab: that is how
// request smuggling and log injection start, and Go's net/http refuses them too.
bool header_value_is_clean(std::string_view value);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set instead of `body` for a large body made as it is sent (an agent's
  // /metrics): each call appends the next piece to its argument and returns
  // false after the last. The server sends each piece before asking for the
  // next (chunked), so the whole body is never held at once.
  std::function<bool(std::string&)> body_pieces;
};

// What a server decides on a request's headers, before it reads a byte of the
// body: a refusal is sent at once and the connection closed (a client without
// its token cannot make the server buffer anything); otherwise the body may
// have at most `body_limit` bytes, chunked or not (0: the route takes none).
struct Admission {
  std::optional<HttpResponse> refusal;
  std::size_t body_limit = 0;
  // The handler may wait on the network for seconds (probes): the server then
  // watches the connection and cancels the handler when the client hangs up.
  // Others finish in moments and are not watched, which spares every report
  // and scrape the watch's cost.
  bool waits_on_network = false;
};

HttpResponse json_response(int status, const nlohmann::json& body);

// docs/api.md: errors are {"error":{"code":"…","message":"…"}} with a 4xx/5xx status.
HttpResponse error_response(int status, std::string_view code, std::string_view message);

// 401 with `WWW-Authenticate: Bearer`, and 405 with `Allow`.
HttpResponse unauthorized_response();
HttpResponse method_not_allowed_response(std::string_view allowed);

// True when `authorization` is exactly "Bearer <token>" for a non-empty token.
// Compared in constant time so response timing does not leak the token.
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace netprobe
