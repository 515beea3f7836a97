#include "metrics.hpp"

#include <set>
#include <tuple>

#include <prometheus/text_serializer.h>

namespace netprobe {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily gauge_family(std::string name, std::string help) {
  return MetricFamily{std::move(name), std::move(help), MetricType::Gauge, {}};
}

void add_gauge(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

double seconds_since_epoch(TimePoint time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

}  // namespace

std::vector<MetricFamily> controller_metric_families(const std::vector<TargetView>& targets,
                                                     const std::vector<AgentView>& agents,
                                                     std::size_t max_failing_series,
                                                     const PolicySnapshot& policies) {
  MetricFamily target_nodes = gauge_family(
      "netprobe_target_nodes", "Reporting agents whose latest result for the target has this outcome.");
  MetricFamily failing_nodes =
      gauge_family("netprobe_target_failing_nodes", "Reporting agents whose latest result for the target fails its expect.");
  MetricFamily failing_pairs = gauge_family(
      "netprobe_failing_pair", "1 for each failing (node, target) pair, at most max_failing_series of them.");
  MetricFamily dropped = gauge_family("netprobe_failing_pairs_dropped",
                                      "Failing pairs left out of netprobe_failing_pair by max_failing_series.");
  std::size_t pairs = 0;
  std::size_t pairs_dropped = 0;
  for (const TargetView& target : targets) {
    // Every outcome is present (0 when no node has it), so queries never see gaps.
    for (const auto& outcome : kOutcomes) {
      const auto count = target.nodes_by_outcome.find(outcome.value);
      add_gauge(target_nodes,
                {{"outcome", std::string(outcome.name)}, {"probe", target.probe}, {"target", target.target},
                 {"transport", target.transport}},
                count == target.nodes_by_outcome.end() ? 0.0 : static_cast<double>(count->second));
    }
    add_gauge(failing_nodes,
              {{"expect", std::string(to_string(target.expect))}, {"probe", target.probe}, {"target", target.target},
               {"transport", target.transport}, {"type", std::string(to_string(target.type))}},
              static_cast<double>(target.failing.size()));
    for (const FailingNode& node : target.failing) {
      if (pairs >= max_failing_series) {
        ++pairs_dropped;
        continue;
      }
      ++pairs;
      add_gauge(failing_pairs,
                {{"namespace", node.ns}, {"node", node.node}, {"outcome", std::string(to_string(node.outcome))},
                 {"probe", target.probe}, {"target", target.target}, {"transport", target.transport}},
                1.0);
    }
  }
  add_gauge(dropped, {}, static_cast<double>(pairs_dropped));

  MetricFamily agent_states = gauge_family("netprobe_agents", "Agents by state: reporting, or stale (missed reports).");
  MetricFamily last_report = gauge_family("netprobe_agent_last_report_timestamp_seconds",
                                          "Unix time of each agent's last report.");
  double reporting = 0;
  double stale = 0;
  for (const AgentView& agent : agents) {
    (agent.state == AgentState::reporting ? reporting : stale) += 1;
    add_gauge(last_report, {{"namespace", agent.ns}, {"node", agent.node}}, seconds_since_epoch(agent.last_report));
  }
  add_gauge(agent_states, {{"state", "reporting"}}, reporting);
  add_gauge(agent_states, {{"state", "stale"}}, stale);

  MetricFamily findings = gauge_family("netprobe_policy_finding", "1 per current NetworkPolicy finding.");
  // Two findings of one check on one policy (two peers selecting nothing) are one series.
  std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
  for (const Finding& finding : policies.findings) {
    if (!seen.emplace(finding.check, finding.severity, finding.ns, finding.policy).second) continue;
    add_gauge(findings,
              {{"check", finding.check}, {"namespace", finding.ns}, {"policy", finding.policy},
               {"severity", finding.severity}},
              1.0);
  }
  std::vector<MetricFamily> families{std::move(target_nodes), std::move(failing_nodes), std::move(failing_pairs),
                                     std::move(dropped),      std::move(agent_states),  std::move(last_report),
                                     std::move(findings)};
  if (policies.enabled) {
    MetricFamily analysis = gauge_family("netprobe_policy_analysis_successful",
                                         "1 when the latest NetworkPolicy analysis read every manifest, else 0.");
    add_gauge(analysis, {}, policies.error.empty() && policies.analysed_at ? 1.0 : 0.0);
    families.push_back(std::move(analysis));
  }
  return families;
}

std::string render_metrics(std::vector<MetricFamily> families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace netprobe
