#include "core/allowlist.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

namespace {

Allowlist design_default() {
  std::vector<Cidr> cidrs;
  for (const char* text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.169.254/32", "fd00::/8"}) {  // # not-a-destination
    cidrs.push_back(*parse_cidr(text));
  }
  return Allowlist(std::move(cidrs), {".cluster.local"});
}

}  // namespace

TEST_CASE("addresses inside the CIDRs are allowed, others refused") {
  const Allowlist allow = design_default();
  CHECK(allow.allows_host("10.96.0.10"));        // # not-a-destination
  CHECK(allow.allows_host("172.31.255.255"));    // # not-a-destination
  CHECK_FALSE(allow.allows_host("172.32.0.1"));  // # not-a-destination
  CHECK(allow.allows_host("169.254.169.254"));   // # not-a-destination
  CHECK_FALSE(allow.allows_host("169.254.169.253"));  // # not-a-destination
  CHECK_FALSE(allow.allows_host("8.8.8.8"));
  CHECK(allow.allows_host("fd12::1"));
  CHECK_FALSE(allow.allows_host("2001:db8::1"));
  CHECK_FALSE(allow.allows_host("::ffff:8.8.8.8"));
  CHECK(allow.allows_host("::ffff:10.1.2.3"));   // # not-a-destination: mapped form of an allowed address
}

TEST_CASE("names must end in an allowed suffix at a label boundary") {
  const Allowlist allow = design_default();
  CHECK(allow.allows_host("payment.payments.svc.cluster.local"));
  CHECK(allow.allows_host("payment.payments.svc.cluster.local."));
  CHECK(allow.allows_host("PAYMENT.Payments.svc.Cluster.Local"));
  CHECK_FALSE(allow.allows_host("evilcluster.local"));
  CHECK_FALSE(allow.allows_host("example.com"));
  CHECK_FALSE(allow.allows_host("cluster.local.example.com"));
  CHECK_FALSE(allow.allows_host(""));
}

TEST_CASE("an IPv4 CIDR covers no IPv6 address") {
  const Allowlist everything({*parse_cidr("0.0.0.0/0")}, {});
  CHECK(everything.allows_host("127.0.0.1"));
  CHECK_FALSE(everything.allows_host("::1"));  // an IPv4 /0 is not all of IPv6
}
