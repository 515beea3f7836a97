// The connect-time half of the ad hoc allowlist, without sockets.
#include "io/allowed_addresses.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
namespace ip = boost::asio::ip;

namespace {

const Allowlist kLoopbackOnly{{*parse_cidr("127.0.0.0/8"), *parse_cidr("::1/128")}, {".cluster.local"}};

HostAddresses resolved(std::initializer_list<const char*> addresses) {
  HostAddresses host;
  for (const char* address : addresses) host.addresses.push_back(ip::make_address(address));
  return host;
}

}  // namespace

TEST_CASE("an address is checked in the allowlist's 128-bit form, IPv4 as IPv4-mapped") {
  CHECK(address_allowed(ip::make_address("127.0.0.9"), kLoopbackOnly));
  CHECK(address_allowed(ip::make_address("::ffff:127.0.0.9"), kLoopbackOnly));
  CHECK(address_allowed(ip::make_address("::1"), kLoopbackOnly));
  CHECK_FALSE(address_allowed(ip::make_address("169.254.169.254"), kLoopbackOnly));  // # not-a-destination
  CHECK_FALSE(address_allowed(ip::make_address("::ffff:169.254.169.254"), kLoopbackOnly));  // # not-a-destination
}

TEST_CASE("an address with an IPv6 zone is never allowed: the zone is a second reading of it") {
  ip::address_v6 scoped = ip::make_address_v6("::1");
  scoped.scope_id(2);
  CHECK_FALSE(address_allowed(scoped, kLoopbackOnly));
}

TEST_CASE("a name's addresses outside the allowlist are dropped; none left says why") {
  HostAddresses mixed = resolved({"10.0.0.7", "127.0.0.2"});  // # not-a-destination
  CHECK(keep_allowed(mixed, "api.cluster.local", kLoopbackOnly).empty());
  REQUIRE(mixed.addresses.size() == 1);
  CHECK(mixed.addresses[0].to_string() == "127.0.0.2");

  HostAddresses outside = resolved({"10.0.0.7", "10.0.0.8"});  // # not-a-destination
  CHECK(keep_allowed(outside, "evil.cluster.local", kLoopbackOnly) ==
        "evil.cluster.local resolves to 10.0.0.7, outside the ad hoc allowlist (adhoc.allow_cidrs)");  // # not-a-destination
  CHECK(outside.addresses.empty());  // nothing is left to connect to

  HostAddresses literal = resolved({"10.0.0.7"});  // # not-a-destination
  CHECK(keep_allowed(literal, "10.0.0.7", kLoopbackOnly) ==  // # not-a-destination
        "10.0.0.7, outside the ad hoc allowlist (adhoc.allow_cidrs)");  // # not-a-destination

  HostAddresses unresolved;
  unresolved.error = "NXDOMAIN";
  CHECK(keep_allowed(unresolved, "gone.cluster.local", kLoopbackOnly).empty());  // the resolve error speaks
}
