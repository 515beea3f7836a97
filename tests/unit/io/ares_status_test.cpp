#include <doctest/doctest.h>

#include <ares.h>

#include "io/ares_status.hpp"

using namespace netprobe;

TEST_CASE("ares statuses keep their constant names") {
  CHECK(ares_status_name(ARES_SUCCESS) == "ARES_SUCCESS");
  CHECK(ares_status_name(ARES_ETIMEOUT) == "ARES_ETIMEOUT");
  CHECK(ares_status_name(ARES_ENOTFOUND) == "ARES_ENOTFOUND");
  CHECK(ares_status_name(ARES_ECONNREFUSED) == "ARES_ECONNREFUSED");
  CHECK(ares_status_name(ARES_ESERVICE) == "ARES_ESERVICE");
  CHECK(ares_status_name(9999) == "ARES_UNKNOWN");
}

TEST_CASE("statuses carrying an rcode are answered, the rest are not folded together") {
  for (int status : {ARES_SUCCESS, ARES_ENODATA, ARES_EFORMERR, ARES_ESERVFAIL, ARES_ENOTFOUND, ARES_ENOTIMP,
                     ARES_EREFUSED}) {
    CAPTURE(ares_status_name(status));
    CHECK(dns_exchange_for(status) == DnsExchange::answered);
  }
  CHECK(dns_exchange_for(ARES_ETIMEOUT) == DnsExchange::timeout);
  CHECK(dns_exchange_for(ARES_ECANCELLED) == DnsExchange::timeout);  // our deadline cancelled it
  CHECK(dns_exchange_for(ARES_ECONNREFUSED) == DnsExchange::refused);
  CHECK(dns_exchange_for(ARES_EBADRESP) == DnsExchange::failed);
  CHECK(dns_exchange_for(ARES_EOF) == DnsExchange::failed);
  CHECK(dns_exchange_for(ARES_EBADNAME) == DnsExchange::failed);
  CHECK(dns_exchange_for(ARES_EDESTRUCTION) == DnsExchange::failed);
}

TEST_CASE("reasons name the DNS failure, not a generic not-found") {
  CHECK(ares_status_reason(ARES_ENOTFOUND).starts_with("NXDOMAIN"));
  CHECK(ares_status_reason(ARES_ESERVFAIL).starts_with("SERVFAIL"));
  CHECK(ares_status_reason(ARES_EREFUSED).starts_with("REFUSED"));
  CHECK(ares_status_reason(ARES_ETIMEOUT) != ares_status_reason(ARES_ENOTFOUND));
}

TEST_CASE("rcodes map to the status ares_query gives them") {
  CHECK(ares_status_for_rcode(0, 1) == ARES_SUCCESS);
  CHECK(ares_status_for_rcode(0, 0) == ARES_ENODATA);
  CHECK(ares_status_for_rcode(2, 0) == ARES_ESERVFAIL);
  CHECK(ares_status_for_rcode(3, 0) == ARES_ENOTFOUND);
  CHECK(ares_status_for_rcode(5, 0) == ARES_EREFUSED);
  CHECK(ares_status_for_rcode(9, 0) == ARES_EBADRESP);
}
