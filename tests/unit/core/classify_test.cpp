#include "core/classify.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <vector>

using namespace netprobe;

TEST_CASE("errno to outcome") {
  CHECK(classify_errno(ETIMEDOUT) == Outcome::timeout);
  CHECK(classify_errno(ECONNREFUSED) == Outcome::refused);
  CHECK(classify_errno(EHOSTUNREACH) == Outcome::unreachable);
  CHECK(classify_errno(ENETUNREACH) == Outcome::unreachable);
  CHECK(classify_errno(EACCES) == Outcome::unreachable);
  CHECK(classify_errno(ECONNRESET) == Outcome::reset);
  CHECK(classify_errno(EPIPE) == Outcome::reset);
  CHECK(classify_errno(EMFILE) == Outcome::error);
  CHECK(classify_errno(0) == Outcome::error);
}

TEST_CASE("DNS exchange and rcode are kept apart") {
  constexpr int noerror = 0;
  CHECK(classify_dns(DnsExchange::answered, 0, noerror) == Outcome::ok);
  CHECK(classify_dns(DnsExchange::answered, 3, noerror) == Outcome::nxdomain);
  CHECK(classify_dns(DnsExchange::answered, 2, noerror) == Outcome::servfail);
  CHECK(classify_dns(DnsExchange::answered, 5, noerror) == Outcome::dns_refused);
  CHECK(classify_dns(DnsExchange::answered, 1, noerror) == Outcome::dns_error);
  CHECK(classify_dns(DnsExchange::answered, 4, noerror) == Outcome::dns_error);
  CHECK(classify_dns(DnsExchange::timeout, 0, noerror) == Outcome::timeout);
  CHECK(classify_dns(DnsExchange::refused, 0, noerror) == Outcome::refused);
  CHECK(classify_dns(DnsExchange::failed, 0, noerror) == Outcome::dns_error);
}

TEST_CASE("NOERROR without a record of the asked type (NODATA) fails only with expect_answers, as dns_error") {
  CHECK(classify_dns(DnsExchange::answered, 0, 0, true) == Outcome::ok);
  CHECK(classify_dns(DnsExchange::answered, 0, 0, true, true) == Outcome::dns_error);
  CHECK(classify_dns(DnsExchange::answered, 0, 0, false, true) == Outcome::ok);
  // NXDOMAIN is not NODATA: its own outcome, whatever expect_answers says.
  CHECK(classify_dns(DnsExchange::answered, 3, 0, false, true) == Outcome::nxdomain);
  CHECK(classify_dns(DnsExchange::answered, 3, 3, false, true) == Outcome::ok);
  CHECK(record_type_name(28) == "AAAA");
  CHECK(record_type_name(65) == "TYPE65");
}

TEST_CASE("an expected rcode other than NOERROR is ok") {
  CHECK(classify_dns(DnsExchange::answered, 3, 3) == Outcome::ok);
  // a name that should not exist but resolves is a DNS-level surprise
  CHECK(classify_dns(DnsExchange::answered, 0, 3) == Outcome::dns_error);
}

TEST_CASE("HTTP status against expect_status") {
  const std::vector<StatusRange> defaults{StatusRange{}};
  CHECK(classify_http_status(200, defaults) == Outcome::ok);
  CHECK(classify_http_status(301, defaults) == Outcome::ok);
  CHECK(classify_http_status(399, defaults) == Outcome::ok);
  CHECK(classify_http_status(404, defaults) == Outcome::http_status);
  CHECK(classify_http_status(500, defaults) == Outcome::http_status);
  const std::vector<StatusRange> only_204{{204, 204}, {401, 403}};
  CHECK(classify_http_status(204, only_204) == Outcome::ok);
  CHECK(classify_http_status(402, only_204) == Outcome::ok);
  CHECK(classify_http_status(200, only_204) == Outcome::http_status);
}

TEST_CASE("metadata statuses: a header-less 400/401/403 still means reachable") {
  CHECK(classify_metadata_status(200) == Outcome::ok);
  CHECK(classify_metadata_status(400) == Outcome::ok);
  CHECK(classify_metadata_status(401) == Outcome::ok);
  CHECK(classify_metadata_status(403) == Outcome::ok);
  CHECK(classify_metadata_status(404) == Outcome::http_status);
  CHECK(classify_metadata_status(500) == Outcome::http_status);
}

TEST_CASE("rcode and record type names") {
  CHECK(parse_rcode("NXDOMAIN") == 3);
  CHECK(parse_rcode("NOERROR") == 0);
  CHECK_FALSE(parse_rcode("nxdomain"));
  CHECK(rcode_name(2) == "SERVFAIL");
  CHECK(rcode_name(99) == "UNKNOWN");
  CHECK(parse_record_type("AAAA") == 28);
  CHECK(parse_record_type("SRV") == 33);
  CHECK_FALSE(parse_record_type("BOGUS"));
}

TEST_CASE("IMDSv2 token: a timeout once connected is the hop limit, anything else stays what it was") {
  CHECK(classify_token_failure(true, Outcome::timeout) == Outcome::token_timeout);
  CHECK(classify_token_failure(false, Outcome::timeout) == Outcome::timeout);  // never connected: a drop
  CHECK(classify_token_failure(true, Outcome::reset) == Outcome::reset);
  CHECK(classify_token_failure(false, Outcome::refused) == Outcome::refused);
}
