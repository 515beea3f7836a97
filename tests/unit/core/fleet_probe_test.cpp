#include "core/fleet_probe.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/report.hpp"

using namespace netprobe;
using nlohmann::json;

namespace {

json result(const std::string& node, const std::string& outcome, const std::string& detail = "") {
  return json{{"probe", "tcp"},      {"type", "tcp"},       {"target", "127.0.0.1:9"}, {"transport", "tcp"},
              {"expect", "allow"},   {"node", node},        {"namespace", "monitoring"}, {"outcome", outcome},
              {"success", outcome == "ok"}, {"duration_seconds", 0.001}, {"detail", detail},
              {"time", "2026-12-03T10:00:00Z"}};
}

json unreachable(const std::string& node) {
  return json{{"probe", "tcp"}, {"type", "tcp"}, {"expect", "allow"}, {"node", node},
              {"outcome", "agent_unreachable"}, {"success", false}, {"detail", "no answer within 3s"}};
}

}  // namespace

TEST_CASE("the fan-out's results, in the natural order of their nodes, with the unreachable agents") {
  const auto lines = read_fleet_probe_answer(json{{"results", {result("node-10", "ok"), unreachable("node-2"),
                                                               result("node-1", "timeout")}}});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].node == "node-1");
  CHECK(lines[1].node == "node-2");
  CHECK_FALSE(lines[1].result.has_value());
  CHECK(lines[1].unreachable == "no answer within 3s");
  CHECK(lines[2].passed());
  CHECK(fleet_probe_summary(lines) == "3 nodes: 1 passed, 2 failed (agent_unreachable 1, timeout 1)");
}

TEST_CASE("the summary: failures by outcome, most first; several results a node counted as results") {
  std::vector<FleetProbeLine> lines;
  for (const char* node : {"a", "b", "c"}) {
    lines.push_back(read_fleet_probe_answer(json{{"results", {result(node, "timeout")}}}).front());
  }
  lines.push_back(read_fleet_probe_answer(json{{"results", {result("a", "refused")}}}).front());
  CHECK(fleet_probe_summary(lines) == "3 nodes: 4 results, 0 passed, 4 failed (timeout 3, refused 1)");
  CHECK(fleet_probe_summary({}) == "0 nodes: 0 passed, 0 failed");
}

TEST_CASE("a hostile answer: fields named, control characters made harmless, a success recomputed") {
  CHECK_THROWS_WITH_AS(read_fleet_probe_answer(json::array()), "answer: expected a JSON object", FieldError);
  CHECK_THROWS_WITH_AS(read_fleet_probe_answer(json{{"results", 1}}), "results: expected a list", FieldError);
  json bad = result("a", "ok");
  bad["outcome"] = "fine";
  CHECK_THROWS_AS(read_fleet_probe_answer(json{{"results", {result("a", "ok"), bad}}}), FieldError);
  json no_node = unreachable("a");
  no_node.erase("node");
  CHECK_THROWS_WITH_AS(read_fleet_probe_answer(json{{"results", {no_node}}}), "results[0].node: expected a string",
                       FieldError);
  json lying = result("a", "timeout", "\x1b[2J\x1b[32mall good");
  lying["success"] = true;
  const auto lines = read_fleet_probe_answer(json{{"results", {lying}}});
  CHECK_FALSE(lines[0].passed());
  CHECK(lines[0].result->detail.find('\x1b') == std::string::npos);
}
