#include "core/verdict.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("allow succeeds only on ok") {
  for (const auto& outcome : kOutcomes) {
    CHECK(verdict(Expect::allow, outcome.value) == (outcome.value == Outcome::ok));
  }
}

TEST_CASE("deny succeeds only when no connection was established") {
  CHECK(verdict(Expect::deny, Outcome::timeout));
  CHECK(verdict(Expect::deny, Outcome::refused));
  CHECK(verdict(Expect::deny, Outcome::unreachable));
  CHECK_FALSE(verdict(Expect::deny, Outcome::ok));  // the policy is not enforced
  CHECK_FALSE(verdict(Expect::deny, Outcome::http_status));  // it connected
  CHECK_FALSE(verdict(Expect::deny, Outcome::resolve_error));  // could not tell
  CHECK_FALSE(verdict(Expect::deny, Outcome::error));
}

TEST_CASE("expect names") {
  CHECK(parse_expect("allow") == Expect::allow);
  CHECK(parse_expect("deny") == Expect::deny);
  CHECK_FALSE(parse_expect("Deny"));
  CHECK(to_string(Expect::deny) == "deny");
}
