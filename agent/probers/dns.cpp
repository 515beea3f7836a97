// dns: one query to one server over one transport (the check's), through
// c-ares. The rcode decides the outcome, so NXDOMAIN, SERVFAIL, REFUSED and a
// timeout stay apart; a truncated UDP answer still proves the path works.
#include <string>

#include "core/classify.hpp"
#include "io/allowed_addresses.hpp"
#include "io/dns_client.hpp"
#include "prober.hpp"

namespace netprobe {
namespace {

// "A web.cluster.local. via udp": what was asked.
std::string question(const DnsSpec& dns, DnsTransport transport) {
  return dns.record + " " + dns.query + " via " + std::string(to_string(transport));
}

std::string describe(const Check& check, const DnsSpec& dns, const DnsAnswer& answer, Millis timeout) {
  const std::string server = check.dns_server.to_string();
  if (answer.exchange == DnsExchange::timeout) {
    return "no response from " + server + " within " + format_duration(timeout) + " (" +
           question(dns, check.dns_transport) + ", " + answer.ares_status + ")";
  }
  std::string detail = question(dns, check.dns_transport) + " " + server + ": " + answer.detail;
  if (answer.exchange == DnsExchange::answered && answer.rcode != dns.expect_rcode) {
    detail += ", expected " + std::string(rcode_name(dns.expect_rcode));
  } else if (answer.no_data && dns.expect_answers && answer.rcode == dns.expect_rcode) {
    detail += ", expected an answer (expect_answers)";
  }
  return detail;
}

}  // namespace

boost::asio::awaitable<Observation> probe_dns(const Check& check, ProbeEnv& env) {
  const ProbeSpec& spec = *check.probe;
  const auto& dns = std::get<DnsSpec>(spec.params);
  const std::optional<int> record_type = parse_record_type(dns.record);
  if (!record_type) {
    // The config validator rejects these; an ad hoc request could still carry one.
    co_return Observation{Outcome::error, "unknown record type \"" + dns.record + "\""};
  }
  if (check.allowed_addresses) {
    boost::system::error_code error;
    const auto server = boost::asio::ip::make_address(check.dns_server.host, error);
    if (error || !address_allowed(server, *check.allowed_addresses)) {
      co_return Observation{Outcome::error, "not querying " + check.dns_server.to_string() +
                                                ": outside the ad hoc allowlist (adhoc.allow_cidrs)"};
    }
  }
  const DnsAnswer answer =
      co_await dns_query(check.dns_server, check.dns_transport, dns.query, *record_type, spec.timeout,
                         env.dns_channels.get());
  co_return Observation{classify_dns(answer.exchange, answer.rcode, dns.expect_rcode, answer.no_data, dns.expect_answers),
                        describe(check, dns, answer, spec.timeout)};
}

}  // namespace netprobe
