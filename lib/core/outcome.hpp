#pragma once
// The fixed set of things that can happen to a probe. Each value is a
// Prometheus label value, so the set is closed: free text goes to `detail`.
#include <array>
#include <optional>
#include <string_view>

#include "enum_table.hpp"

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

// Each outcome's name (the label value) and what it usually means in a cluster.
inline constexpr EnumTable kOutcomes{std::array{
    EnumEntry<Outcome>{Outcome::ok, "ok", "connected or answered as expected"},
    EnumEntry<Outcome>{Outcome::timeout, "timeout", "nothing came back: typical of a NetworkPolicy drop or a blackhole"},
    EnumEntry<Outcome>{Outcome::refused, "refused", "no listener, or a REJECT-style CNI (kube-router, k3s)"},
    EnumEntry<Outcome>{Outcome::unreachable, "unreachable", "ICMP admin-prohibited, no route, or the node is down"},
    EnumEntry<Outcome>{Outcome::reset, "reset", "connection reset after it was established"},
    EnumEntry<Outcome>{Outcome::nxdomain, "nxdomain", "the name does not exist: network fine, name or search path wrong"},
    EnumEntry<Outcome>{Outcome::servfail, "servfail", "DNS server up, its upstream or forward path broken"},
    EnumEntry<Outcome>{Outcome::dns_refused, "dns_refused", "DNS server refused the query: wrong server or ACL"},
    EnumEntry<Outcome>{Outcome::dns_error, "dns_error", "bad or unexpected DNS answer"},
    EnumEntry<Outcome>{Outcome::resolve_error, "resolve_error", "the target's host name could not be resolved"},
    EnumEntry<Outcome>{Outcome::http_status, "http_status", "HTTP answered with an unexpected status"},
    EnumEntry<Outcome>{Outcome::tls_error, "tls_error", "TLS handshake or certificate failure"},
    EnumEntry<Outcome>{Outcome::token_timeout, "token_timeout",
                       "metadata connect worked but the IMDSv2 token never came: PUT hop limit"},
    EnumEntry<Outcome>{Outcome::error, "error", "unexpected failure, see detail"},
}};

// Every outcome has its entry (error is the last): arrays of counts indexed by
// an outcome's value (the store's targets(), the agent's runs) rely on it.
static_assert(static_cast<std::size_t>(Outcome::error) + 1 == kOutcomes.size());

inline std::string_view to_string(Outcome outcome) { return kOutcomes.name(outcome); }
inline std::optional<Outcome> parse_outcome(std::string_view name) { return kOutcomes.parse(name); }
// One line for people: what this outcome usually means in a cluster.
inline std::string_view likely_cause(Outcome outcome) { return kOutcomes.help(outcome); }

}  // namespace netprobe
