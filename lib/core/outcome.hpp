#pragma once
// The fixed set of things that can happen to a probe. Each value is a
// Prometheus label value, so the set is closed: free text goes to `detail`.
#include <array>
#include <optional>
#include <string_view>

namespace netprobe {

enum class Outcome {
  ok,
  timeout,
  refused,
  unreachable,
  reset,
  nxdomain,
  servfail,
  dns_refused,
  dns_error,
  resolve_error,
  http_status,
  tls_error,
  token_timeout,
  error,
};

inline constexpr std::array kAllOutcomes{
    Outcome::ok,          Outcome::timeout,       Outcome::refused,   Outcome::unreachable,
    Outcome::reset,       Outcome::nxdomain,      Outcome::servfail,  Outcome::dns_refused,
    Outcome::dns_error,   Outcome::resolve_error, Outcome::http_status, Outcome::tls_error,
    Outcome::token_timeout, Outcome::error,
};

std::string_view to_string(Outcome outcome);
std::optional<Outcome> parse_outcome(std::string_view name);

// One line for people: what this outcome usually means in a cluster.
std::string_view likely_cause(Outcome outcome);

}  // namespace netprobe
