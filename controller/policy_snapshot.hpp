#pragma once
// What the controller knows of the cluster's NetworkPolicies: the findings of
// the latest analysis, served by GET /api/v1/findings and as
// netprobe_policy_finding series. Written by the policy watcher, read by the
// API and /metrics.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "netpol/finding_list.hpp"
#include "core/store.hpp"

namespace netprobe {

struct PolicySnapshot {
  bool enabled = false;                    // policy_analysis.paths configured, or Kubernetes
  std::string source;                      // "manifests" or "kubernetes" when enabled
  netpol::FindingList findings;            // of the last analysis that succeeded
  std::optional<TimePoint> analysed_at;    // when that was; empty before the first success
  std::optional<TimePoint> attempted_at;   // the latest attempt, successful or not
  std::string error;                       // why the latest attempt failed; "" when it succeeded
  std::size_t policies = 0;                // what the last success read
  std::size_t pods = 0;                    // pods and workloads
};

}  // namespace netprobe
