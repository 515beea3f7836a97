#include "classify.hpp"

#include <cerrno>
#include <string>

namespace netprobe {
namespace {

struct Named {
  std::string_view name;
  int value;
};

constexpr Named kRcodes[] = {
    {"NOERROR", 0}, {"FORMERR", 1}, {"SERVFAIL", 2}, {"NXDOMAIN", 3},
    {"NOTIMP", 4},  {"REFUSED", 5}, {"YXDOMAIN", 6}, {"YXRRSET", 7},
    {"NXRRSET", 8}, {"NOTAUTH", 9}, {"NOTZONE", 10},
};

constexpr Named kRecordTypes[] = {
    {"A", 1},    {"NS", 2},   {"CNAME", 5}, {"SOA", 6},  {"PTR", 12},
    {"MX", 15},  {"TXT", 16}, {"AAAA", 28}, {"SRV", 33}, {"CAA", 257},
};

}  // namespace

Outcome classify_errno(int error_number) {
  switch (error_number) {
    case ETIMEDOUT:
      return Outcome::timeout;
    case ECONNREFUSED:
      return Outcome::refused;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
    // Linux reports ICMP admin-prohibited (what nftables' `reject with icmp
    // admin-prohibited` sends) as EHOSTUNREACH on TCP; EACCES/EPERM come from a
    // local firewall refusing the packet on output.
    case EACCES:
    case EPERM:
      return Outcome::unreachable;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
      return Outcome::reset;
    default:
      return Outcome::error;
  }
}

Outcome classify_token_failure(bool connected, Outcome failure) {
  return connected && failure == Outcome::timeout ? Outcome::token_timeout : failure;
}

Outcome classify_dns(DnsExchange exchange, int rcode, int expect_rcode, bool no_data, bool expect_answers) {
  switch (exchange) {
    case DnsExchange::timeout: return Outcome::timeout;
    case DnsExchange::refused: return Outcome::refused;
    case DnsExchange::failed: return Outcome::dns_error;
    case DnsExchange::answered: break;
  }
  if (rcode == expect_rcode) return rcode == 0 && no_data && expect_answers ? Outcome::dns_error : Outcome::ok;
  switch (rcode) {
    case 2: return Outcome::servfail;
    case 3: return Outcome::nxdomain;
    case 5: return Outcome::dns_refused;
    default: return Outcome::dns_error;
  }
}

Outcome classify_http_status(int status, std::span<const StatusRange> expected) {
  for (const StatusRange& range : expected) {
    if (range.contains(status)) return Outcome::ok;
  }
  return Outcome::http_status;
}

Outcome classify_metadata_status(int status) {
  if ((status >= 200 && status <= 299) || status == 400 || status == 401 || status == 403) {
    return Outcome::ok;
  }
  return Outcome::http_status;
}

std::optional<int> parse_rcode(std::string_view name) {
  for (const Named& rcode : kRcodes) {
    if (rcode.name == name) return rcode.value;
  }
  return std::nullopt;
}

std::string_view rcode_name(int rcode) {
  for (const Named& known : kRcodes) {
    if (known.value == rcode) return known.name;
  }
  return "UNKNOWN";
}

std::string record_type_name(int type) {
  for (const Named& known : kRecordTypes) {
    if (known.value == type) return std::string(known.name);
  }
  return "TYPE" + std::to_string(type);  // RFC 3597's spelling
}

std::optional<int> parse_record_type(std::string_view name) {
  for (const Named& type : kRecordTypes) {
    if (type.name == name) return type.value;
  }
  return std::nullopt;
}

}  // namespace netprobe
