#pragma once
// What `netprobe probe … --all-nodes` (or --nodes) makes of the controller's
// POST /api/v1/probes answer: its results read as strictly as an agent's
// report (they crossed a network), in the natural order of their nodes, every
// string terminal-safe, and the summary line under them.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "result.hpp"

namespace netprobe {

// One line of the answer: a node's result, or why its agent could not run it
// (the controller's `agent_unreachable` entries carry only node and detail).
struct FleetProbeLine {
  std::string node;
  std::optional<ProbeResult> result;  // nullopt: unreachable
  std::string unreachable;            // why, when unreachable

  bool passed() const { return result && result->success; }
};

// Throws FieldError (core/report.hpp) naming the field, e.g. "results[3].outcome".
std::vector<FleetProbeLine> read_fleet_probe_answer(const nlohmann::json& answer);

// "3 nodes: 2 passed, 1 failed (timeout 1)"; the failures by outcome, most first.
std::string fleet_probe_summary(const std::vector<FleetProbeLine>& lines);

}  // namespace netprobe
