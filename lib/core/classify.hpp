#pragma once
// Turning what the network said into an Outcome. Pure: the I/O layer hands in
// errno values, DNS rcodes and HTTP statuses, never sockets.
#include <span>
#include <string>
#include <string_view>

#include "outcome.hpp"
#include "probe_spec.hpp"

namespace netprobe {

// A socket error (connect, read, write) as an errno value.
Outcome classify_errno(int error_number);

// How a DNS exchange ended before its rcode is looked at.
enum class DnsExchange {
  answered,  // a response arrived; its rcode decides
  timeout,   // nothing came back
  refused,   // ICMP port-unreachable (UDP) or RST (TCP)
  failed,    // malformed answer, truncated over UDP with TCP disabled, ...
};

// `rcode` is only read when the exchange was answered. `no_data`: NOERROR
// without a record of the asked type (NODATA), which fails only with
// `expect_answers` (the dns probe's key), as dns_error: the set of outcomes
// is fixed, and NODATA is a bad answer rather than a name that does not exist.
Outcome classify_dns(DnsExchange exchange, int rcode, int expect_rcode, bool no_data = false,
                     bool expect_answers = false);

Outcome classify_http_status(int status, std::span<const StatusRange> expected);

// Metadata servers answer requests without their flavor's header (or without a
// token) with 400/401/403: the endpoint is reachable, which is all we check.
Outcome classify_metadata_status(int status);

// The IMDSv2 token PUT (metadata flavor aws) ended in `failure`. A timeout once
// connected is the hop limit's signature: the token reply leaves the instance
// with IP TTL 1 by default and dies one hop short of a pod in its own network
// namespace, so the connect works and the answer never comes (token_timeout).
Outcome classify_token_failure(bool connected, Outcome failure);

// DNS names <-> numbers: rcodes ("NXDOMAIN" <-> 3) and record types ("AAAA" <-> 28).
std::optional<int> parse_rcode(std::string_view name);
std::string_view rcode_name(int rcode);
std::optional<int> parse_record_type(std::string_view name);
std::string record_type_name(int type);  // "AAAA", or "TYPE65" for one not in the table

}  // namespace netprobe
