#include "controller/metrics.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

namespace {

TargetView target(const std::string& name, std::size_t failing) {
  TargetView view;
  view.probe = name;
  view.target = "127.0.0.1:53";
  view.transport = "udp";
  view.type = ProbeType::dns;
  view.nodes = 5;
  view.nodes_by_outcome = {{Outcome::ok, 5 - failing}, {Outcome::timeout, failing}};
  for (std::size_t i = 0; i < failing; ++i) {
    view.failing.push_back(FailingNode{"node-" + std::to_string(i), "monitoring", Outcome::timeout, {}, "", nullptr});
  }
  return view;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

std::size_t count(const std::string& text, const std::string& prefix) {
  std::size_t n = 0;
  for (std::size_t at = text.find("\n" + prefix); at != std::string::npos; at = text.find("\n" + prefix, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("per-target counts by outcome, failing nodes, agents") {
  AgentView reporting;
  reporting.node = "node-0";
  reporting.ns = "monitoring";
  reporting.last_report = TimePoint{std::chrono::seconds{1795687200}};
  AgentView stale = reporting;
  stale.node = "node-9";
  stale.state = AgentState::stale;
  const std::string text =
      render_controller_metrics({target("kube-dns", 2)}, {reporting, stale}, 500, {}, {});
  CHECK(has_line(text, R"(netprobe_target_nodes{outcome="timeout",probe="kube-dns",target="127.0.0.1:53",transport="udp"} 2)"));
  CHECK(has_line(text, R"(netprobe_target_nodes{outcome="ok",probe="kube-dns",target="127.0.0.1:53",transport="udp"} 3)"));
  CHECK(has_line(text, R"(netprobe_target_nodes{outcome="servfail",probe="kube-dns",target="127.0.0.1:53",transport="udp"} 0)"));
  CHECK(has_line(text, R"(netprobe_target_failing_nodes{expect="allow",probe="kube-dns",target="127.0.0.1:53",transport="udp",type="dns"} 2)"));
  CHECK(has_line(text, R"(netprobe_failing_pair{namespace="monitoring",node="node-1",outcome="timeout",probe="kube-dns",target="127.0.0.1:53",transport="udp"} 1)"));
  CHECK(has_line(text, R"(netprobe_agents{state="reporting"} 1)"));
  CHECK(has_line(text, R"(netprobe_agents{state="stale"} 1)"));
  CHECK(has_line(text, R"(netprobe_agent_last_report_timestamp_seconds{namespace="monitoring",node="node-0"} 1795687200)"));
  CHECK(count(text, "netprobe_target_nodes{") == 14);
}

TEST_CASE("policy verdicts per target: every verdict present, counted over its failing nodes") {
  TargetView attributed = target("kube-dns", 3);
  attributed.policy = TargetPolicy{PolicyAttribution{PolicyVerdict::denied, PolicyDirection::egress, {"shop/lockdown"}, "why"},
                                   {{PolicyVerdict::denied, 2}, {PolicyVerdict::allowed, 1}}};
  const std::string text = render_controller_metrics({attributed, target("healthy", 0)}, {}, 500, {}, {});
  CHECK(has_line(text, R"(netprobe_target_policy_verdict{probe="kube-dns",target="127.0.0.1:53",transport="udp",verdict="denied"} 2)"));
  CHECK(has_line(text, R"(netprobe_target_policy_verdict{probe="kube-dns",target="127.0.0.1:53",transport="udp",verdict="allowed"} 1)"));
  CHECK(has_line(text, R"(netprobe_target_policy_verdict{probe="kube-dns",target="127.0.0.1:53",transport="udp",verdict="unknown"} 0)"));
  CHECK(has_line(text, R"(netprobe_target_policy_verdict{probe="healthy",target="127.0.0.1:53",transport="udp",verdict="denied"} 0)"));
  CHECK(count(text, "netprobe_target_policy_verdict{") == 6);  // targets x 3: bounded
}

TEST_CASE("failing pairs are capped and the rest counted") {
  const std::string text =
      render_controller_metrics({target("a", 3), target("b", 3)}, {}, 4, {}, {});
  CHECK(count(text, "netprobe_failing_pair{") == 4);
  CHECK(has_line(text, "netprobe_failing_pairs_dropped 2"));
  CHECK(has_line(text, R"(netprobe_target_failing_nodes{expect="allow",probe="b",target="127.0.0.1:53",transport="udp",type="dns"} 3)"));
}

TEST_CASE("policy findings: one series per (check, severity, namespace, policy); analysis health when enabled") {
  CHECK(render_controller_metrics({}, {}, 500, {}, {}).find("netprobe_policy_analysis_successful") ==
        std::string::npos);

  PolicySnapshot snapshot;
  snapshot.enabled = true;
  snapshot.analysed_at = TimePoint{std::chrono::seconds{1795687200}};
  const netpol::Finding peer{"selector-matches-nothing", "error", "payments", "payment-ingress", "peer 1", "", {}};
  netpol::Finding second_peer = peer;
  second_peer.message = "peer 2";
  snapshot.findings = std::vector<netpol::Finding>{peer, second_peer,
                       netpol::Finding{"unprotected-workload", "info", "payments", "", "ledger is selected by no policy", "", {}}};
  std::string text = render_controller_metrics({}, {}, 500, snapshot, {});
  CHECK(count(text, "netprobe_policy_finding{") == 2);
  CHECK(has_line(text, R"(netprobe_policy_finding{check="selector-matches-nothing",namespace="payments",policy="payment-ingress",severity="error"} 1)"));
  CHECK(has_line(text, R"(netprobe_policy_finding{check="unprotected-workload",namespace="payments",policy="",severity="info"} 1)"));
  CHECK(has_line(text, "netprobe_policy_analysis_successful 1"));

  snapshot.error = "policies.yaml:3: spec: is required";
  text = render_controller_metrics({}, {}, 500, snapshot, {});
  CHECK(has_line(text, "netprobe_policy_analysis_successful 0"));
  CHECK(count(text, "netprobe_policy_finding{") == 2);  // the last good findings stay
}

TEST_CASE("the controller's counters: every label value from the start, counted as they come") {
  ControllerCounters counters;
  std::string text = render_controller_metrics({}, {}, 500, {}, counters);
  CHECK(has_line(text, R"(netprobe_reports_total{result="accepted"} 0)"));
  CHECK(has_line(text, R"(netprobe_reports_total{result="limited"} 0)"));
  CHECK(has_line(text, R"(netprobe_reports_rejected_total{reason="address"} 0)"));
  CHECK(has_line(text, R"(netprobe_alertmanager_notifications_total{result="failure"} 0)"));
  CHECK(has_line(text, "netprobe_agent_identity_conflicts_total 0"));
  CHECK(has_line(text, "netprobe_controller_config_last_reload_successful 1"));
  CHECK(text.find("# TYPE netprobe_reports_total counter\n") != std::string::npos);

  counters.count(ReportResult::accepted);
  counters.count(ReportResult::accepted);
  counters.count(ReportResult::unauthorized);
  counters.count(ReportRejection::checks);
  counters.alert_push(false);
  counters.reloaded(false);
  ++counters.identity_conflicts;
  text = render_controller_metrics({}, {}, 500, {}, counters);
  CHECK(has_line(text, R"(netprobe_reports_total{result="accepted"} 2)"));
  CHECK(has_line(text, R"(netprobe_reports_total{result="unauthorized"} 1)"));
  CHECK(has_line(text, R"(netprobe_reports_rejected_total{reason="checks"} 1)"));
  CHECK(has_line(text, R"(netprobe_alertmanager_notifications_total{result="failure"} 1)"));
  CHECK(has_line(text, R"(netprobe_controller_config_reloads_total{result="failure"} 1)"));
  CHECK(has_line(text, "netprobe_controller_config_last_reload_successful 0"));
  CHECK(has_line(text, "netprobe_agent_identity_conflicts_total 1"));
}

TEST_CASE("Kubernetes mode: nodes without an agent, and each derived-deny probe with the policy it proves") {
  CHECK(render_controller_metrics({}, {}, 500, {}, {}).find("netprobe_derived_probe_info") == std::string::npos);
  KubeMetrics kubernetes;
  kubernetes.nodes_without_agent = 2;
  std::string text = render_controller_metrics({}, {}, 500, {}, {}, &kubernetes);
  CHECK(has_line(text, "netprobe_nodes_without_agent 2"));
  CHECK(count(text, "netprobe_derived_probe_info{") == 0);  // the family, empty: nothing derived yet
  CHECK(text.find("# TYPE netprobe_derived_probe_info gauge") != std::string::npos);
  kubernetes.derived = std::make_shared<const std::vector<netpol::DerivedDenyProbe>>(std::vector<netpol::DerivedDenyProbe>{
      {"payments", "payment-0", *parse_ip("127.0.2.30"), 8080, "payments/payment-ingress", true, "", ""}});
  text = render_controller_metrics({}, {}, 500, {}, {}, &kubernetes);
  CHECK(has_line(text, R"(netprobe_derived_probe_info{namespace="payments",pod="payment-0",policy="payments/payment-ingress",probe="derived-deny",target="127.0.2.30:8080"} 1)"));
}
