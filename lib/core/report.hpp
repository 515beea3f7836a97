#pragma once
// The agent -> controller wire format (POST /api/v1/reports):
//   {"node": "node-a", "namespace": "monitoring", "address": "10.0.0.5:9743",
//    "version": "0.1.0", "interval_seconds": 10, "results": [ …result objects… ]}
// Parsing is strict: every problem names the field, e.g. `results[3].outcome`.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "duration.hpp"
#include "field_error.hpp"
#include "result.hpp"

namespace netprobe {

inline constexpr std::size_t kMaxResultsPerReport = 10'000;
// 10,000 results as agents write them are about 4 MiB.
inline constexpr std::size_t kMaxReportBodyBytes = 8 << 20;

struct AgentReport {
  std::string node;
  std::string ns;
  std::string address;  // where the controller reaches the agent's API ("host:port")
  std::string version;
  Millis interval{10'000};  // how often the agent reports; staleness is counted in these
  // true: the latest result of every check the agent runs (checks missing from
  // it are gone); false: only what changed since the last report.
  bool full = true;
  std::vector<ProbeResult> results;
};

// Throws FieldError (malformed JSON is reported against the field "body").
// Read without building a tree of the body: the controller reads every
// agent's report every interval, and the tree was most of its CPU.
AgentReport parse_report(std::string_view body);
nlohmann::ordered_json report_to_json(const AgentReport& report);

// One result object as in README.md, "Outcomes"; `path` prefixes field names in errors.
ProbeResult parse_result(const nlohmann::json& object, const std::string& path);

}  // namespace netprobe
