#include "controller/fanout.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("an agent's answer to a one-shot probe") {
  const std::string body = R"({"results": [{"probe": "adhoc", "type": "tcp", "target": "127.0.0.1:9090",
    "transport": "tcp", "expect": "allow", "node": "whatever", "outcome": "timeout", "success": false,
    "duration_seconds": 2.0, "detail": "no answer", "time": "2026-11-26T10:00:00Z"}]})";
  const AdhocAnswer answer = read_agent_answer("node-a", 200, body);
  CHECK(answer.unreachable_reason.empty());
  REQUIRE(answer.results.size() == 1);
  CHECK(answer.results[0].node == "node-a");  // the controller's name, not the agent's
  CHECK(answer.results[0].outcome == Outcome::timeout);
}

TEST_CASE("answers that are not results make the agent unreachable, with the reason") {
  CHECK(read_agent_answer("n", 401, R"({"error":{"code":"unauthorized"}})").unreachable_reason ==
        R"(agent answered 401: {"error":{"code":"unauthorized"}})");
  CHECK(read_agent_answer("n", 200, "not json").unreachable_reason.starts_with("agent sent a malformed answer"));
  CHECK(read_agent_answer("n", 200, R"({"results": [{"probe": 1}]})").unreachable_reason ==
        "agent sent a malformed answer: results[0].probe: expected a string");
  CHECK(read_agent_answer("n", 200, R"({"results": []})").unreachable_reason == "agent sent no results");
  CHECK(read_agent_answer("n", 200, R"({"results": []})").results.empty());
}
