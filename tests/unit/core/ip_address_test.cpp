#include "core/ip_address.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("IP literals in one 128-bit form, IPv4 mapped") {
  const auto v4 = parse_ip("127.0.0.1");
  REQUIRE(v4);
  CHECK(is_ipv4(*v4));
  CHECK(*v4 == IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1});
  CHECK(parse_ip("::ffff:127.0.0.1") == v4);  // the same address, written the other way
  const auto v6 = parse_ip("::1");
  REQUIRE(v6);
  CHECK_FALSE(is_ipv4(*v6));
  CHECK_FALSE(parse_ip("localhost"));
  CHECK_FALSE(parse_ip("fe80::1%eth0"));  // a zone is not part of a literal
  CHECK_FALSE(parse_ip("127.0.0.1 "));
  CHECK_FALSE(parse_ip(""));
}

TEST_CASE("an address written back as a literal, IPv4 without its mapping") {
  CHECK(format_ip(*parse_ip("127.0.0.1")) == "127.0.0.1");
  CHECK(format_ip(*parse_ip("::ffff:127.0.0.2")) == "127.0.0.2");
  CHECK(format_ip(*parse_ip("::1")) == "::1");
  CHECK(format_ip(*parse_ip("fd00:0:0::1")) == "fd00::1");  // # not-a-destination
}

TEST_CASE("CIDR parsing") {
  CHECK(parse_cidr("10.0.0.0/8"));  // # not-a-destination
  CHECK(parse_cidr("10.0.0.0/8")->prefix == 104);  // # not-a-destination
  CHECK(parse_cidr("::1/128"));
  CHECK(parse_cidr("127.0.0.1"));
  CHECK(parse_cidr("127.0.0.1")->prefix == 128);
  CHECK(parse_cidr("127.0.0.0/8")->text == "127.0.0.0/8");
  CHECK_FALSE(parse_cidr("10.0.0.0/33"));  // # not-a-destination
  CHECK_FALSE(parse_cidr("10.0.0.0/"));  // # not-a-destination
  CHECK_FALSE(parse_cidr("10.0.0.0/8x"));  // # not-a-destination
  CHECK_FALSE(parse_cidr("10.0.0.0/-1"));  // # not-a-destination
  CHECK_FALSE(parse_cidr("example.com/8"));
  CHECK_FALSE(parse_cidr("::/129"));
}

TEST_CASE("containment over the prefix, to the bit") {
  const Cidr loopback = *parse_cidr("127.0.0.0/8");
  CHECK(loopback.contains(*parse_ip("127.255.0.1")));
  CHECK_FALSE(loopback.contains(*parse_ip("128.0.0.1")));  // # not-a-destination
  const Cidr odd = *parse_cidr("127.0.0.0/9");
  CHECK(odd.contains(*parse_ip("127.127.0.1")));
  CHECK_FALSE(odd.contains(*parse_ip("127.128.0.1")));
  const Cidr everything = *parse_cidr("::/0");
  CHECK(everything.contains(*parse_ip("::1")));
  CHECK(everything.contains(*parse_ip("127.0.0.1")));  // ::/0 covers the mapped range too
}
