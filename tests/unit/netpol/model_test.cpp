#include "netpol/model.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace netprobe::netpol;
using Op = LabelRequirement::Operator;

TEST_CASE("protocols are spelt and parsed exactly as the Kubernetes API spells them") {
  CHECK(to_string(Protocol::udp) == "UDP");
  CHECK(parse_protocol("SCTP") == Protocol::sctp);
  CHECK_FALSE(parse_protocol("tcp"));
}

TEST_CASE("label requirements follow apimachinery's selector semantics") {
  const Labels labels{{"app", "payment"}, {"tier", "backend"}};
  CHECK(LabelRequirement{"app", Op::in, {"payment", "shop"}}.matches(labels));
  CHECK_FALSE(LabelRequirement{"app", Op::in, {"paymnet"}}.matches(labels));  // the typo matches nothing
  CHECK(LabelRequirement{"app", Op::not_in, {"shop"}}.matches(labels));
  CHECK(LabelRequirement{"team", Op::not_in, {"a"}}.matches(labels));  // a missing key is "not in"
  CHECK(LabelRequirement{"tier", Op::exists, {}}.matches(labels));
  CHECK(LabelRequirement{"team", Op::does_not_exist, {}}.matches(labels));
  CHECK_FALSE(LabelRequirement{"app", Op::does_not_exist, {}}.matches(labels));
}

TEST_CASE("a selector needs all its labels and all its expressions; the empty one selects everything") {
  const Labels labels{{"app", "payment"}, {"tier", "backend"}};
  CHECK(LabelSelector{}.matches(labels));
  CHECK(LabelSelector{}.empty());
  CHECK(LabelSelector{{{"app", "payment"}}, {{"tier", Op::in, {"backend"}}}}.matches(labels));
  CHECK_FALSE(LabelSelector{{{"app", "payment"}}, {{"tier", Op::in, {"frontend"}}}}.matches(labels));
  CHECK_FALSE(LabelSelector{{{"app", "payment"}, {"env", "prod"}}, {}}.matches(labels));
}

TEST_CASE("an ipBlock holds its CIDR minus its excepts, in its own address family only") {
  const IpBlock block{*parse_cidr("0.0.0.0/0"), {*parse_cidr("169.254.169.254/32")}};  // # not-a-destination
  CHECK(block.contains(*parse_ip("10.1.2.3")));  // # not-a-destination
  CHECK_FALSE(block.contains(*parse_ip("169.254.169.254")));  // # not-a-destination
  CHECK_FALSE(block.contains(*parse_ip("2001:db8::1")));  // # not-a-destination
  const IpBlock v6{*parse_cidr("::/0"), {}};
  CHECK(v6.contains(*parse_ip("2001:db8::1")));  // # not-a-destination
  CHECK_FALSE(v6.contains(*parse_ip("10.1.2.3")));  // ::/0 does not match IPv4  # not-a-destination
}
