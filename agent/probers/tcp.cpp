// tcp: connect, nothing more. The target's host name is resolved first, so a
// DNS failure shows as resolve_error rather than as a connect failure.
#include <chrono>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "io/allowed_addresses.hpp"
#include "io/dns_client.hpp"
#include "io/error_outcome.hpp"
#include "prober.hpp"

namespace netprobe {

boost::asio::awaitable<Observation> probe_tcp(const Check& check, ProbeEnv& env) {
  namespace asio = boost::asio;
  const ProbeSpec& spec = *check.probe;
  const Endpoint& target = std::get<TcpSpec>(spec.params).target;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;

  HostAddresses host = co_await resolve_host(target.host, spec.timeout, env.resolver_servers);
  if (!host.error.empty()) {
    co_return Observation{Outcome::resolve_error, "resolving " + target.host + ": " + host.error};
  }
  if (check.allowed_addresses) {
    if (std::string refused = keep_allowed(host, target.host, *check.allowed_addresses); !refused.empty()) {
      co_return Observation{Outcome::error, "not connecting: " + refused};
    }
  }
  std::vector<asio::ip::tcp::endpoint> endpoints;
  for (const auto& address : host.addresses) endpoints.emplace_back(address, target.port);

  boost::beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_at(deadline);
  auto [error, connected] = co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (error) {
    const Outcome outcome = classify_error(error);
    std::string detail = "connect to " + target.to_string() + ": ";
    detail += outcome == Outcome::timeout ? "no answer within " + format_duration(spec.timeout) : error.message();
    co_return Observation{outcome, std::move(detail)};
  }
  co_return Observation{Outcome::ok, "connected to " + connected.address().to_string() + ":" +
                                         std::to_string(connected.port())};
}

}  // namespace netprobe
