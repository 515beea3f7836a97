// A target's verdict over its failing nodes.
#include "core/policy_attribution.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace netprobe;

TEST_CASE("the target summary: the majority verdict, denied first on a tie") {
  const PolicyAttribution denied{PolicyVerdict::denied, PolicyDirection::egress, {"shop/lockdown"}, "d"};
  const PolicyAttribution allowed_one{PolicyVerdict::allowed, std::nullopt, {}, "a"};
  const PolicyAttribution unknown_one{PolicyVerdict::unknown, std::nullopt, {}, "u"};
  CHECK_FALSE(summarise({}).has_value());
  CHECK_FALSE(summarise({nullptr}).has_value());
  const auto tie = summarise({&allowed_one, &denied});
  REQUIRE(tie);
  CHECK(tie->summary == denied);
  CHECK(tie->nodes_by_verdict == std::map<PolicyVerdict, std::size_t>{{PolicyVerdict::denied, 1}, {PolicyVerdict::allowed, 1}});
  const auto most = summarise({&allowed_one, &denied, &allowed_one, &unknown_one, nullptr});
  REQUIRE(most);
  CHECK(most->summary == allowed_one);
  CHECK(most->nodes_by_verdict.at(PolicyVerdict::allowed) == 2);
}

TEST_CASE("as /api/v1/status writes them") {
  const PolicyAttribution denied{PolicyVerdict::denied, PolicyDirection::both, {"a/x", "b/y"}, "why"};
  CHECK(to_json(denied).dump() ==
        R"({"verdict":"denied","direction":"both","policies":["a/x","b/y"],"reason":"why"})");
  const PolicyAttribution allowed{PolicyVerdict::allowed, std::nullopt, {}, "fine"};
  const TargetPolicy target{allowed, {{PolicyVerdict::denied, 1}, {PolicyVerdict::allowed, 2}}};
  CHECK(to_json(target).dump() == R"({"verdict":"allowed","direction":null,"policies":[],"reason":"fine",)"
                                  R"("nodes_by_verdict":{"denied":1,"allowed":2}})");
}
