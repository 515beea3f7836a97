#include "metrics.hpp"

#include <set>
#include <tuple>

#include "core/exposition.hpp"
#include "kube/derived_discovery.hpp"

namespace netprobe {
namespace {

using exposition::MetricType;

double seconds_since_epoch(TimePoint time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

// "accepted, rejected, …": a family's HELP names the label values it has.
template <typename Table>
std::string listed(const Table& table) {
  std::string out;
  for (const auto& entry : table) {
    out += (out.empty() ? "" : ", ") + std::string(entry.name) + " (" + std::string(entry.help) + ")";
  }
  return out;
}

void write_targets(exposition::Writer& out, const std::vector<TargetView>& targets, std::size_t max_failing_series) {
  out.family("netprobe_target_nodes", MetricType::gauge,
             "Reporting agents whose latest result for the target has this outcome.");
  for (const TargetView& target : targets) {
    // Every outcome is present (0 when no node has it), so queries never see gaps.
    for (const auto& outcome : kOutcomes) {
      const auto count = target.nodes_by_outcome.find(outcome.value);
      out.sample("netprobe_target_nodes",
                 {{"outcome", outcome.name}, {"probe", target.probe}, {"target", target.target},
                  {"transport", target.transport}},
                 count == target.nodes_by_outcome.end() ? 0.0 : static_cast<double>(count->second));
    }
  }
  out.family("netprobe_target_failing_nodes", MetricType::gauge,
             "Reporting agents whose latest result for the target fails its expect.");
  for (const TargetView& target : targets) {
    out.sample("netprobe_target_failing_nodes",
               {{"expect", to_string(target.expect)}, {"probe", target.probe}, {"target", target.target},
                {"transport", target.transport}, {"type", to_string(target.type)}},
               static_cast<double>(target.failing.size()));
  }
  out.family("netprobe_target_policy_verdict", MetricType::gauge,
             "Failing nodes of the target by what the live NetworkPolicies say of their path: " +
                 listed(kPolicyVerdicts) + ".");
  for (const TargetView& target : targets) {
    // Every verdict is present (0 when no failing node has it), so queries never see gaps.
    for (const auto& verdict : kPolicyVerdicts) {
      std::size_t nodes = 0;
      if (target.policy) {
        const auto count = target.policy->nodes_by_verdict.find(verdict.value);
        if (count != target.policy->nodes_by_verdict.end()) nodes = count->second;
      }
      out.sample("netprobe_target_policy_verdict",
                 {{"probe", target.probe}, {"target", target.target}, {"transport", target.transport},
                  {"verdict", verdict.name}},
                 static_cast<double>(nodes));
    }
  }
  out.family("netprobe_failing_pair", MetricType::gauge,
             "1 for each failing (node, target) pair, at most max_failing_series of them.");
  std::size_t pairs = 0;
  std::size_t dropped = 0;
  for (const TargetView& target : targets) {
    for (const FailingNode& node : target.failing) {
      if (pairs >= max_failing_series) {
        ++dropped;
        continue;
      }
      ++pairs;
      out.sample("netprobe_failing_pair",
                 {{"namespace", node.ns}, {"node", node.node}, {"outcome", to_string(node.outcome)},
                  {"probe", target.probe}, {"target", target.target}, {"transport", target.transport}},
                 1.0);
    }
  }
  out.family("netprobe_failing_pairs_dropped", MetricType::gauge,
             "Failing pairs left out of netprobe_failing_pair by max_failing_series.");
  out.sample("netprobe_failing_pairs_dropped", {}, static_cast<double>(dropped));
}

void write_agents(exposition::Writer& out, const std::vector<AgentView>& agents) {
  double reporting = 0;
  double stale = 0;
  for (const AgentView& agent : agents) (agent.state == AgentState::reporting ? reporting : stale) += 1;
  out.family("netprobe_agents", MetricType::gauge, "Agents by state: reporting, or stale (missed reports).");
  out.sample("netprobe_agents", {{"state", "reporting"}}, reporting);
  out.sample("netprobe_agents", {{"state", "stale"}}, stale);
  out.family("netprobe_agent_last_report_timestamp_seconds", MetricType::gauge, "Unix time of each agent's last report.");
  for (const AgentView& agent : agents) {
    out.sample("netprobe_agent_last_report_timestamp_seconds", {{"namespace", agent.ns}, {"node", agent.node}},
               seconds_since_epoch(agent.last_report));
  }
}

void write_policies(exposition::Writer& out, const PolicySnapshot& policies) {
  out.family("netprobe_policy_finding", MetricType::gauge, "1 per current NetworkPolicy finding.");
  // Two findings of one check on one policy (two peers selecting nothing) are one series.
  std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
  for (const netpol::Finding& finding : policies.findings) {
    if (!seen.emplace(finding.check, finding.severity, finding.ns, finding.policy).second) continue;
    out.sample("netprobe_policy_finding",
               {{"check", finding.check}, {"namespace", finding.ns}, {"policy", finding.policy},
                {"severity", finding.severity}},
               1.0);
  }
  if (!policies.enabled) return;
  out.family("netprobe_policy_analysis_successful", MetricType::gauge,
             "1 when the latest NetworkPolicy analysis read every manifest, else 0.");
  out.sample("netprobe_policy_analysis_successful", {}, policies.error.empty() && policies.analysed_at ? 1.0 : 0.0);
}

void write_counters(exposition::Writer& out, const ControllerCounters& counters) {
  out.family("netprobe_alertmanager_notifications_total", MetricType::counter,
             "Alert batches pushed to Alertmanager, by result.");
  out.sample("netprobe_alertmanager_notifications_total", {{"result", "success"}}, counters.alert_pushes_succeeded);
  out.sample("netprobe_alertmanager_notifications_total", {{"result", "failure"}}, counters.alert_pushes_failed);

  out.family("netprobe_reports_total", MetricType::counter, "Agent reports received, by result: " + listed(kReportResults) + ".");
  for (const auto& result : kReportResults) {
    out.sample("netprobe_reports_total", {{"result", result.name}}, counters.reports[static_cast<std::size_t>(result.value)]);
  }
  out.family("netprobe_reports_rejected_total", MetricType::counter,
             "Reports, or results of reports, refused by a limit, by reason: " + listed(kReportRejections) + ".");
  for (const auto& reason : kReportRejections) {
    out.sample("netprobe_reports_rejected_total", {{"reason", reason.name}},
               counters.rejections[static_cast<std::size_t>(reason.value)]);
  }
  out.family("netprobe_agent_identity_conflicts_total", MetricType::counter,
             "Times two live reporters were seen for one (node, namespace).");
  out.sample("netprobe_agent_identity_conflicts_total", {}, counters.identity_conflicts);

  out.family("netprobe_controller_config_last_reload_successful", MetricType::gauge,
             "1 when the last config reload (SIGHUP) succeeded, 0 when it was rejected.");
  out.sample("netprobe_controller_config_last_reload_successful", {}, counters.last_reload_successful ? 1.0 : 0.0);
  out.family("netprobe_controller_config_reloads_total", MetricType::counter, "Config reloads (SIGHUP), by result.");
  out.sample("netprobe_controller_config_reloads_total", {{"result", "success"}}, counters.reloads_succeeded);
  out.sample("netprobe_controller_config_reloads_total", {{"result", "failure"}}, counters.reloads_failed);
}

// Only in Kubernetes mode. Bounded: resources x (event types, relist reasons,
// and the HTTP statuses the API server has actually answered with).
void write_kubernetes(exposition::Writer& out, const KubeStatus& kubernetes) {
  if (kubernetes.empty()) return;
  out.family("netprobe_kubernetes_synced", MetricType::gauge,
             "1 once the resource has been listed (an optional one known to be absent counts), else 0.");
  for (const KubeResourceStatus& resource : kubernetes) {
    out.sample("netprobe_kubernetes_synced", {{"resource", resource.resource}}, resource.synced ? 1.0 : 0.0);
  }
  out.family("netprobe_kubernetes_watch_events_total", MetricType::counter,
             "Watch events received, by type: " + listed(kube::kEventTypes) + ".");
  for (const KubeResourceStatus& resource : kubernetes) {
    for (const auto& type : kube::kEventTypes) {
      out.sample("netprobe_kubernetes_watch_events_total", {{"resource", resource.resource}, {"type", type.name}},
                 static_cast<double>(resource.counters.events[static_cast<std::size_t>(type.value)]));
    }
  }
  out.family("netprobe_kubernetes_relists_total", MetricType::counter,
             "Lists started again, replacing what was held, by reason: " + listed(kube::kRelistReasons) + ".");
  for (const KubeResourceStatus& resource : kubernetes) {
    for (const auto& reason : kube::kRelistReasons) {
      out.sample("netprobe_kubernetes_relists_total", {{"reason", reason.name}, {"resource", resource.resource}},
                 static_cast<double>(resource.counters.relists[static_cast<std::size_t>(reason.value)]));
    }
  }
  out.family("netprobe_kubernetes_request_errors_total", MetricType::counter,
             "List and watch requests that failed, by HTTP status (0: no reply; 410: history compacted).");
  for (const KubeResourceStatus& resource : kubernetes) {
    for (const auto& [code, count] : resource.counters.errors) {
      out.sample("netprobe_kubernetes_request_errors_total", {{"code", std::to_string(code)}, {"resource", resource.resource}},
                 static_cast<double>(count));
    }
  }
  out.family("netprobe_kubernetes_objects_skipped_total", MetricType::counter,
             "Objects and events that could not be read and were skipped (the log says why).");
  for (const KubeResourceStatus& resource : kubernetes) {
    out.sample("netprobe_kubernetes_objects_skipped_total", {{"resource", resource.resource}},
               static_cast<double>(resource.counters.malformed));
  }
}

// 1 per derived-deny probe handed out: what each is meant to prove, so a rule
// on netprobe_target_nodes can name the policy (NetprobePolicyNotEnforced).
void write_derived(exposition::Writer& out, const std::shared_ptr<const std::vector<netpol::DerivedDenyProbe>>& derived) {
  out.family("netprobe_derived_probe_info", MetricType::gauge,
             "1 per derived-deny probe handed out: the pod it connects to and the NetworkPolicy meant to deny it.");
  if (!derived) return;
  for (const netpol::DerivedDenyProbe& probe : *derived) {
    out.sample("netprobe_derived_probe_info",
               {{"namespace", probe.ns}, {"pod", probe.pod}, {"policy", probe.policy},
                {"probe", kube::kDerivedDenyProbe}, {"target", kube::derived_target(probe)}},
               1.0);
  }
}

}  // namespace

std::string render_controller_metrics(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                                      std::size_t max_failing_series, const PolicySnapshot& policies,
                                      const ControllerCounters& counters, const KubeMetrics* kubernetes) {
  std::string text;
  // Each target writes ~16 series of ~120 bytes.
  text.reserve(targets.size() * 2048 + agents.size() * 96 + 4096);
  exposition::Writer out(text);
  write_targets(out, targets, max_failing_series);
  write_agents(out, agents);
  write_policies(out, policies);
  write_counters(out, counters);
  if (kubernetes != nullptr) {
    write_kubernetes(out, kubernetes->resources);
    out.family("netprobe_nodes_without_agent", MetricType::gauge,
               "Ready, schedulable nodes with no reporting agent (their names: /api/v1/status).");
    out.sample("netprobe_nodes_without_agent", {}, static_cast<double>(kubernetes->nodes_without_agent));
    write_derived(out, kubernetes->derived);
  }
  return text;
}

}  // namespace netprobe
