#pragma once
// One result per (probe, target, transport) per run: what the agent exposes,
// reports to the controller and prints from `netprobe probe --json`.
#include <chrono>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "outcome.hpp"
#include "probe_spec.hpp"
#include "verdict.hpp"

namespace netprobe {

// What a prober saw; the caller adds identity, timing and the verdict.
struct Observation {
  Outcome outcome = Outcome::error;
  std::string detail;
};

struct ProbeResult {
  std::string probe;
  ProbeType type = ProbeType::tcp;
  std::string target;
  std::string transport;
  Expect expect = Expect::allow;
  std::string node;
  std::string ns;  // "namespace" on the wire
  Outcome outcome = Outcome::error;
  bool success = false;
  double duration_seconds = 0;
  std::string detail;
  std::chrono::system_clock::time_point time;
};

// Keys in the order of README.md's example result, so people read probe and outcome first.
nlohmann::ordered_json to_json(const ProbeResult& result);

// RFC 3339 in UTC with second precision, as in the wire format.
std::string format_time(std::chrono::system_clock::time_point time);

}  // namespace netprobe
