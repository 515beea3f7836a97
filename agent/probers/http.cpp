// http: one request, its status checked against expect_status. Resolve,
// connect, TLS, request and response are all bounded by the probe's timeout;
// a failure says which of them failed, so a policy drop (connect timeout) is
// told apart from a slow or broken application (response timeout, 5xx).
#include <exception>
#include <optional>
#include <span>
#include <string>

#include "core/classify.hpp"
#include "core/url.hpp"
#include "io/http_client.hpp"
#include "prober.hpp"

namespace netprobe {
namespace {

// "200-399", "200, 301-302": the expectation, as people wrote it.
std::string describe_expected(std::span<const StatusRange> expected) {
  std::string text;
  for (const StatusRange& range : expected) {
    if (!text.empty()) text += ", ";
    text += std::to_string(range.low);
    if (range.high != range.low) text += "-" + std::to_string(range.high);
  }
  return text;
}

ClientRequest make_request(const HttpUrl& url, const HttpSpec& http) {
  ClientRequest request = request_for(url, http.method);
  request.headers = http.headers;
  request.tls_server_name = http.tls.server_name;  // SNI and the name verified; the Host header stays the URL's
  return request;
}

}  // namespace

boost::asio::awaitable<Observation> probe_http(const Check& check, ProbeEnv& env) {
  const ProbeSpec& spec = *check.probe;
  const HttpSpec& http = std::get<HttpSpec>(spec.params);
  UrlError url_error;
  const std::optional<HttpUrl> url = parse_http_url(http.url, &url_error);
  if (!url) co_return Observation{Outcome::error, "invalid URL \"" + http.url + "\": " + url_error.message};

  const ClientRequest request = make_request(*url, http);
  ClientOptions options;
  options.deadline = std::chrono::steady_clock::now() + spec.timeout;
  options.budget = spec.timeout;
  options.resolver_servers = env.resolver_servers;
  options.allowed = check.allowed_addresses.get();
  if (url->tls) {
    if (http.tls.ca_file.empty()) {
      options.tls = &env.tls();
    } else {
      try {
        options.tls = &env.tls_with_ca(http.tls.ca_file);
      } catch (const std::exception& error) {
        // Read at config load; gone or broken since (a Secret being updated).
        co_return Observation{Outcome::error, std::string("tls.ca_file: ") + error.what()};
      }
    }
    options.insecure_skip_verify = http.tls.insecure_skip_verify;
  }

  const ClientExchange exchange = co_await http_exchange(request, options);
  if (!exchange.answered()) co_return Observation{exchange.outcome, describe_failure(request, exchange)};

  const ClientReply& reply = exchange.reply;
  const Outcome outcome = classify_http_status(reply.status, http.expect_status);
  std::string detail = http.method + " " + http.url + ": " + std::to_string(reply.status);
  if (!reply.reason.empty()) detail += " " + reply.reason;
  if (outcome != Outcome::ok) detail += " (expected " + describe_expected(http.expect_status) + ")";
  co_return Observation{outcome, std::move(detail)};
}

}  // namespace netprobe
