#include "core/report.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

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
    try {
      parse_report(body);
    } catch (const FieldError&) {
      ++refused;
    } catch (const std::exception& error) {
      FAIL_CHECK("body " << body << " threw " << error.what());
    }
  }
  CHECK(refused > 1500);  // the error paths were really exercised
}
