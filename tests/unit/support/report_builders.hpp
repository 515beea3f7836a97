#pragma once
// Results and reports as an agent sends them, for the tests of what the
// controller makes of them (store, status view, status page). Each test
// changes only what it is about; what it leaves is a plausible agent's.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/report.hpp"
#include "core/result.hpp"
#include "core/verdict.hpp"

namespace netprobe::test {

// A fixed instant, so that ages ("failing for 5s") are exact.
inline const TimePoint t0{std::chrono::seconds{1795687200}};

// A tcp result to 127.0.0.1:9100, its success as the agent would judge it,
// its detail "detail of OUTCOME".
inline ProbeResult probe_result(const std::string& probe, Outcome outcome, TimePoint time = t0,
                                Expect expect = Expect::allow) {
  ProbeResult r;
  r.probe = probe;
  r.type = ProbeType::tcp;
  r.target = "127.0.0.1:9100";
  r.transport = "tcp";
  r.expect = expect;
  r.outcome = outcome;
  r.success = verdict(expect, outcome);
  r.detail = "detail of " + std::string(to_string(outcome));
  r.time = time;
  return r;
}

// A full report from NODE's agent in `monitoring`, reporting every ten
// minutes, so that nobody goes stale within a test unless it sets interval.
inline AgentReport agent_report(const std::string& node, std::vector<ProbeResult> results) {
  AgentReport r;
  r.node = node;
  r.ns = "monitoring";
  r.address = "127.0.0.1:9743";
  r.interval = Millis{600'000};
  r.full = true;
  r.results = std::move(results);
  return r;
}

}  // namespace netprobe::test
