#include "core/controller_reply.hpp"

#include <doctest/doctest.h>

#include "core/report.hpp"

using namespace netprobe;

TEST_CASE("a controller reply hands over its probes and ad hoc rules") {
  const ControllerReply reply = read_controller_reply(
      R"({"accepted": 2, "probes": [{"name": "web", "type": "tcp", "target": "127.0.0.1:80"}],
          "adhoc": {"allow_cidrs": ["127.0.0.0/8"], "allow_suffixes": [".cluster.local"], "max_timeout": "3s"}})",
      ProbeDefaults{});
  REQUIRE(reply.probes.size() == 1);
  CHECK(reply.probes[0]->name == "web");
  CHECK(reply.skipped.empty());
  REQUIRE(reply.adhoc.has_value());
  CHECK(reply.adhoc->max_timeout == Millis{3'000});
  CHECK(reply.adhoc->allowlist.allows_host("127.0.0.5"));
  CHECK_FALSE(reply.adhoc->allowlist.allows_host("10.0.0.1"));  // # not-a-destination
  CHECK_FALSE(reply.assignment.empty());
}

TEST_CASE("a bad probe is skipped with its error; the others are kept") {
  const ControllerReply reply = read_controller_reply(
      R"({"probes": [{"name": "a", "type": "dnss"}, {"name": "b", "type": "tcp", "target": "127.0.0.1:1"}]})",
      ProbeDefaults{});
  REQUIRE(reply.probes.size() == 1);
  CHECK(reply.probes[0]->name == "b");
  REQUIRE(reply.skipped.size() == 1);
  CHECK(reply.skipped[0].starts_with("probes[0].type: unknown probe type"));
  CHECK_FALSE(reply.adhoc.has_value());
}

TEST_CASE("replies that cannot be used are refused naming the field, however deep they nest") {
  const auto error_of = [](const std::string& body) {
    try {
      read_controller_reply(body, ProbeDefaults{});
    } catch (const FieldError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(std::string(60'000, '[') + std::string(60'000, ']')) == "body: nested deeper than 32 levels");
  CHECK(error_of(R"({"probes": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})").starts_with("body: nested deeper"));
  CHECK(error_of(R"({"probes": {}})") == "probes: expected a list");
  CHECK(error_of("[1]") == "body: expected a JSON object");
  CHECK(error_of(R"({"adhoc": {"allow_cidrs": ["nope"]}})").starts_with("adhoc.allow_cidrs[0]: invalid CIDR"));
  CHECK(error_of("{\"probes\": ") .starts_with("body: not valid JSON"));
}
