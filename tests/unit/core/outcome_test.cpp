#include "core/outcome.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace netprobe;

TEST_CASE("every outcome has a distinct label value that parses back") {
  std::set<std::string> names;
  for (const auto& entry : kOutcomes) {
    const std::string name(to_string(entry.value));
    CHECK(names.insert(name).second);
    CHECK(parse_outcome(name) == entry.value);
    CHECK_FALSE(likely_cause(entry.value).empty());
  }
  CHECK(names.size() == 14);
}

TEST_CASE("the outcome set is the one README.md lists") {
  CHECK(to_string(Outcome::dns_refused) == "dns_refused");
  CHECK(to_string(Outcome::token_timeout) == "token_timeout");
  CHECK(to_string(Outcome::resolve_error) == "resolve_error");
  CHECK_FALSE(parse_outcome("agent_unreachable"));
  CHECK_FALSE(parse_outcome("OK"));
}
