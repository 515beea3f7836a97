#include "outcome.hpp"

namespace netprobe {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::timeout: return "timeout";
    case Outcome::refused: return "refused";
    case Outcome::unreachable: return "unreachable";
    case Outcome::reset: return "reset";
    case Outcome::nxdomain: return "nxdomain";
    case Outcome::servfail: return "servfail";
    case Outcome::dns_refused: return "dns_refused";
    case Outcome::dns_error: return "dns_error";
    case Outcome::resolve_error: return "resolve_error";
    case Outcome::http_status: return "http_status";
    case Outcome::tls_error: return "tls_error";
    case Outcome::token_timeout: return "token_timeout";
    case Outcome::error: return "error";
  }
  return "error";
}

std::optional<Outcome> parse_outcome(std::string_view name) {
  for (Outcome outcome : kAllOutcomes) {
    if (to_string(outcome) == name) return outcome;
  }
  return std::nullopt;
}

std::string_view likely_cause(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "connected or answered as expected";
    case Outcome::timeout: return "nothing came back: typical of a NetworkPolicy drop or a blackhole";
    case Outcome::refused: return "no listener, or a REJECT-style CNI (kube-router, k3s)";
    case Outcome::unreachable: return "ICMP admin-prohibited, no route, or the node is down";
    case Outcome::reset: return "connection reset after it was established";
    case Outcome::nxdomain: return "the name does not exist: network fine, name or search path wrong";
    case Outcome::servfail: return "DNS server up, its upstream or forward path broken";
    case Outcome::dns_refused: return "DNS server refused the query: wrong server or ACL";
    case Outcome::dns_error: return "bad or unexpected DNS answer";
    case Outcome::resolve_error: return "the target's host name could not be resolved";
    case Outcome::http_status: return "HTTP answered with an unexpected status";
    case Outcome::tls_error: return "TLS handshake or certificate failure";
    case Outcome::token_timeout: return "metadata connect worked but the IMDSv2 token never came: PUT hop limit";
    case Outcome::error: return "unexpected failure, see detail";
  }
  return "unexpected failure, see detail";
}

}  // namespace netprobe
