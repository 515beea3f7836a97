#pragma once
// The controller's /metrics, computed from the store at scrape time, so no
// series outlives the state it describes. Cardinality is bounded by probes x
// targets + agents; the one node x target family (netprobe_failing_pair) is
// capped at max_failing_series, with the rest counted in netprobe_failing_pairs_dropped.
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "controller/policy_snapshot.hpp"
#include "core/store.hpp"

namespace netprobe {

std::vector<prometheus::MetricFamily> controller_metric_families(const std::vector<TargetView>& targets,
                                                                 const std::vector<AgentView>& agents,
                                                                 std::size_t max_failing_series,
                                                                 const PolicySnapshot& policies);

// The families above plus any others (counters the controller keeps), as Prometheus text.
std::string render_metrics(std::vector<prometheus::MetricFamily> families);

}  // namespace netprobe
