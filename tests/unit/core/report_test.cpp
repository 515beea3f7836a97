#include "core/report.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/json_input.hpp"
#include "unit/corrupt.hpp"

using namespace netprobe;

namespace {

nlohmann::json valid_result() {
  return {{"probe", "kube-dns"},    {"type", "dns"},         {"target", "127.0.0.1:53"}, {"transport", "udp"},
          {"expect", "allow"},      {"node", "node-a"},      {"namespace", "monitoring"}, {"outcome", "timeout"},
          {"success", false},       {"duration_seconds", 2.0}, {"detail", "no response"}, {"time", "2026-11-26T10:00:00Z"}};
}

nlohmann::json valid_report() {
  return {{"node", "node-a"}, {"namespace", "monitoring"}, {"address", "127.0.0.1:9743"},
          {"version", "0.1.0"}, {"interval_seconds", 10}, {"results", {valid_result()}}};
}

std::string error_of(const nlohmann::json& body) {
  try {
    parse_report(body.dump());
  } catch (const FieldError& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("a report round-trips") {
  const AgentReport report = parse_report(valid_report().dump());
  CHECK(report.node == "node-a");
  CHECK(report.interval == Millis{10'000});
  CHECK(report.full);
  REQUIRE(report.results.size() == 1);
  CHECK(report.results[0].outcome == Outcome::timeout);
  CHECK(report.results[0].time == std::chrono::system_clock::time_point{std::chrono::seconds{1795687200}});
  const AgentReport again = parse_report(report_to_json(report).dump());
  CHECK(again.results[0].target == "127.0.0.1:53");
  CHECK(again.results[0].duration_seconds == 2.0);
}

TEST_CASE("identity and verdict come from the controller's own reading") {
  nlohmann::json body = valid_report();
  body["results"][0]["node"] = "someone-else";
  body["results"][0]["success"] = true;  // a lie: allow + timeout is a failure
  const AgentReport report = parse_report(body.dump());
  CHECK(report.results[0].node == "node-a");
  CHECK_FALSE(report.results[0].success);
}

TEST_CASE("bad reports name the field") {
  CHECK(error_of("not an object") == "body: expected a JSON object");
  nlohmann::json body = valid_report();
  body.erase("node");
  CHECK(error_of(body) == "node: is required");
  body = valid_report();
  body["results"][0]["outcome"] = "dropped";
  CHECK(error_of(body) == "results[0].outcome: unknown outcome \"dropped\"");
  body = valid_report();
  body["results"][0]["duration_seconds"] = -1;
  CHECK(error_of(body) == "results[0].duration_seconds: expected a non-negative number");
  body = valid_report();
  body["results"][0]["time"] = "yesterday";
  CHECK(error_of(body) == "results[0].time: expected RFC 3339 UTC time, found \"yesterday\"");
  body["results"][0]["time"] = "0001-11-26T10:00:00Z";  // would overflow the nanosecond clock
  CHECK(error_of(body) == "results[0].time: year 1 is outside 1970-2200");
  body = valid_report();
  body["results"] = "none";
  CHECK(error_of(body) == "results: expected a list");
  body = valid_report();
  body["results"][0]["target"] = std::string(600, 'x');
  CHECK(error_of(body) == "results[0].target: longer than 512 characters");
  body = valid_report();
  body["interval_seconds"] = 0;
  CHECK(error_of(body) == "interval_seconds: expected a number from 0.1 to 600");
  try {
    parse_report("{\"node\": ");
    FAIL("accepted truncated JSON");
  } catch (const FieldError& error) {
    CHECK(error.field() == "body");
  }
}

TEST_CASE("the streaming reader reads a report as a tree reader would") {
  // Members in any order, unknown ones of any shape skipped, repeated ones: the last counts.
  const AgentReport report = parse_report(R"({"results": [{"time": "2026-11-26T10:00:00Z", "extra": {"deep": [[1], {"x": null}]},
      "duration_seconds": 1, "outcome": "ok", "expect": "allow", "transport": "tcp", "target": "t", "type": "tcp",
      "probe": "p", "success": false}], "future": [{"results": 1}], "node": "first", "node": "n",
      "namespace": "ns", "interval_seconds": 2.5, "full": false})");
  CHECK(report.node == "n");
  CHECK(report.interval == Millis{2'500});
  CHECK_FALSE(report.full);
  REQUIRE(report.results.size() == 1);
  CHECK(report.results[0].node == "n");  // the report's identity, though results came first
  CHECK(report.results[0].ns == "ns");
  CHECK(report.results[0].success);  // ok + allow, whatever the agent said
  CHECK(parse_report(R"({"node": "n", "namespace": "ns", "results": [1], "results": []})").results.empty());
}

TEST_CASE("the streaming reader names problems in the order a tree reader checks them") {
  nlohmann::json body = valid_report();
  body["results"].push_back("not a result");
  CHECK(error_of(body) == "results[1]: expected an object");
  body["results"][0]["outcome"] = "dropped";
  CHECK(error_of(body) == "results[0].outcome: unknown outcome \"dropped\"");
  body["node"] = 5;  // the report's own members come before its results
  CHECK(error_of(body) == "node: expected a string");
  body = valid_report();
  body["node"] = "";
  CHECK(error_of(body) == "node: must not be empty");
  body = valid_report();
  body["results"] = nlohmann::json::array({nlohmann::json{{"nested", {{"deeper", 1}}}}});
  CHECK(error_of(body) == "results[0].probe: is required");
  body = valid_report();
  body["results"][0]["target"] = {{"an", "object"}};
  CHECK(error_of(body) == "results[0].target: expected a string");
  body = valid_report();
  body["results"] = nlohmann::json{{"a", "map"}};
  CHECK(error_of(body) == "results: expected a list");
  body = valid_report();
  body.erase("results");
  CHECK(error_of(body) == "results: is required");
  body = valid_report();
  body["full"] = "yes";
  CHECK(error_of(body) == "full: expected true or false");
  CHECK(error_of(nlohmann::json::array()) == "body: expected a JSON object");
}

TEST_CASE("a body that is not JSON is refused as such, whatever its fields") {
  std::string truncated = valid_report().dump();
  truncated.insert(1, R"("node": 5, )");
  truncated.pop_back();
  try {
    parse_report(truncated);
    FAIL("accepted truncated JSON");
  } catch (const FieldError& error) {
    CHECK(error.field() == "body");
    CHECK(std::string(error.what()).starts_with("body: not valid JSON: "));
  }
  std::string deep = R"({"node": "n", "namespace": "ns", "results": [], "x": )";
  deep += std::string(40, '[') + std::string(40, ']') + "}";
  CHECK(error_of(nlohmann::json::parse(deep)) == "body: nested deeper than 32 levels");
}

TEST_CASE("the result count is capped") {
  nlohmann::json body = valid_report();
  body["results"] = nlohmann::json::array();
  for (std::size_t i = 0; i < kMaxResultsPerReport; ++i) body["results"].push_back(valid_result());
  CHECK(parse_report(body.dump()).results.size() == kMaxResultsPerReport);
  body["results"].push_back(valid_result());
  CHECK(error_of(body) == "results: too many results (10001, at most 10000)");
}

TEST_CASE("corrupted reports are refused with a FieldError, never another exception") {
  int refused = 0;
  for (const std::string& body : testing::corruptions(valid_report().dump(), 3000)) {
    // The streaming reader calls a body JSON exactly when the tree parser does.
    bool is_json = true;
    try {
      parse_json_input(body);
    } catch (const JsonInputError&) {
      is_json = false;
    }
    try {
      parse_report(body);
      CHECK_MESSAGE(is_json, "accepted a body that is not JSON: " << body);
    } catch (const FieldError& error) {
      ++refused;
      CHECK_MESSAGE((error.field() == "body") == (!is_json || error.what() == std::string("body: expected a JSON object")),
                    body << " refused as " << error.what());
    } catch (const std::exception& error) {
      FAIL_CHECK("body " << body << " threw " << error.what());
    }
  }
  CHECK(refused > 1500);  // the error paths were really exercised
}
