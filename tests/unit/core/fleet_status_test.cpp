// What `netprobe status` makes of the controller's answer, and the exit status it gives.
#include "core/fleet_status.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace netprobe;
using nlohmann::json;

TEST_CASE("failing nodes in natural order with their outcome; stale agents and nodes without one named") {
  const json answer = json::parse(R"({
    "targets": [{"probe": "scrape", "target": "127.0.0.1:9100", "transport": "tcp", "nodes": 3,
                 "failing": [{"node": "node-10", "outcome": "timeout"}, {"node": "node-2", "outcome": "refused"}],
                 "policy": {"verdict": "denied", "direction": "ingress", "reason": "isolated by shop/web"}}],
    "agents": [{"node": "node-2", "state": "reporting"}, {"node": "node-10", "state": "stale"},
               {"node": "node-9", "state": "stale"}],
    "nodes_without_agent": ["node-11", "node-3"]})");
  const FleetStatus status = read_fleet_status(answer);
  REQUIRE(status.targets.size() == 1);
  CHECK(status.targets[0].failing == std::vector<std::string>{"node-2 (refused)", "node-10 (timeout)"});
  CHECK(status.targets[0].policy == "denied (ingress): isolated by shop/web");
  CHECK(status.reporting == 1);
  CHECK(status.stale == std::vector<std::string>{"node-9", "node-10"});
  CHECK(status.nodes_without_agent == std::vector<std::string>{"node-3", "node-11"});
  CHECK(fleet_state(status) == FleetState::failing);  // failing wins: it is what to act on
}

TEST_CASE("blind is not green: no agent reporting, some stale, or nodes without an agent") {
  CHECK(fleet_state(read_fleet_status(json::parse(R"({"targets": [], "agents": []})"))) == FleetState::blind);
  CHECK(fleet_state(read_fleet_status(json::parse(R"({"targets": [], "agents": [{"node": "a", "state": "stale"}]})"))) ==
        FleetState::blind);
  CHECK(fleet_state(read_fleet_status(json::parse(
            R"({"agents": [{"node": "a", "state": "reporting"}, {"node": "b", "state": "stale"}]})"))) == FleetState::blind);
  CHECK(fleet_state(read_fleet_status(json::parse(
            R"({"agents": [{"node": "a", "state": "reporting"}], "nodes_without_agent": ["b"]})"))) == FleetState::blind);
  CHECK(fleet_state(read_fleet_status(json::parse(
            R"({"targets": [{"probe": "p", "failing": []}], "agents": [{"node": "a", "state": "reporting"}]})"))) ==
        FleetState::healthy);
}

TEST_CASE("an answer of the wrong shape is read as far as it goes, never thrown on") {
  for (const char* text : {R"([])", R"({"targets": 7})", R"({"targets": [1, "x", {"failing": [2, {"node": 3}]}]})",
                           R"({"agents": [{"state": 1}], "nodes_without_agent": [1, "a"]})", R"("text")", "null"}) {
    CAPTURE(text);
    CHECK_NOTHROW(fleet_state(read_fleet_status(json::parse(text))));
  }
  const FleetStatus odd = read_fleet_status(json::parse(R"({"targets": [{"failing": [{"node": 3}]}]})"));
  CHECK(odd.targets[0].failing == std::vector<std::string>{"? (?)"});
}

TEST_CASE("names printed for a terminal, and long lists cut") {
  const FleetStatus status = read_fleet_status(json::parse(R"({"agents": [{"node": "a\u001b[2Jb", "state": "stale"}]})"));
  CHECK(status.stale[0] == "a\\x1b[2Jb");
  CHECK(cut_list({"a", "b", "c"}, 5) == "a, b, c");
  CHECK(cut_list({"a", "b", "c", "d"}, 2) == "a, b and 2 more");
  CHECK(cut_list({}, 2).empty());
}
