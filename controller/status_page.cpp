#include "status_page.hpp"

#include <sstream>

namespace netprobe {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_status_page(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                               const PolicySnapshot& policies, TimePoint now) {
  std::ostringstream page;
  page << "<!doctype html><html><head><meta charset=\"utf-8\"><title>netprobe</title>"
          "<meta http-equiv=\"refresh\" content=\"10\"><style>"
          "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
          "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.fail{background:#fdd}.ok{background:#dfd}"
          "</style></head><body><h1>netprobe</h1><p>As of " << format_time(now) << ". JSON: "
          "<a href=\"/api/v1/status\">/api/v1/status</a>, metrics: <a href=\"/metrics\">/metrics</a>.</p>";
  page << "<h2>Targets</h2><table><tr><th>probe</th><th>target</th><th>transport</th><th>expect</th>"
          "<th>nodes</th><th>failing</th><th>failing nodes (outcome, since)</th><th>likely cause</th>"
          "<th>NetworkPolicy verdict</th></tr>";
  for (const TargetView& target : targets) {
    page << "<tr class=\"" << (target.failing.empty() ? "ok" : "fail") << "\"><td>" << html_escape(target.probe)
         << "</td><td>" << html_escape(target.target) << "</td><td>" << html_escape(target.transport) << "</td><td>"
         << to_string(target.expect) << "</td><td>" << target.nodes << "</td><td>" << target.failing.size()
         << "</td><td>";
    for (const FailingNode& node : target.failing) {
      page << html_escape(node.node) << " (" << to_string(node.outcome) << ", " << format_time(node.since)
           << ")<br>";
    }
    page << "</td><td>";
    if (!target.failing.empty()) page << html_escape(likely_cause(target.failing.front().outcome));
    page << "</td><td>";
    if (target.policy) {
      page << "<b>" << to_string(target.policy->summary.verdict) << "</b>: " << html_escape(target.policy->summary.reason);
    }
    page << "</td></tr>";
  }
  page << "</table><h2>Agents</h2><table><tr><th>node</th><th>namespace</th><th>state</th><th>last report</th>"
          "<th>results</th><th>version</th></tr>";
  for (const AgentView& agent : agents) {
    page << "<tr class=\"" << (agent.state == AgentState::reporting ? "ok" : "fail") << "\"><td>"
         << html_escape(agent.node) << "</td><td>" << html_escape(agent.ns) << "</td><td>" << to_string(agent.state)
         << "</td><td>" << format_time(agent.last_report) << "</td><td>" << agent.results << "</td><td>"
         << html_escape(agent.version) << "</td></tr>";
  }
  page << "</table>";
  if (policies.enabled) {
    page << "<h2>NetworkPolicy findings</h2><p>";
    if (policies.analysed_at) {
      page << policies.policies << " policies, " << policies.pods << " pods and workloads, analysed "
           << format_time(*policies.analysed_at) << ". ";
    }
    if (!policies.error.empty()) page << "<span class=\"fail\">Last attempt failed: " << html_escape(policies.error) << "</span> ";
    page << "JSON: <a href=\"/api/v1/findings\">/api/v1/findings</a>.</p>";
    page << "<table><tr><th>severity</th><th>check</th><th>namespace</th><th>policy</th><th>finding</th>"
            "<th>hint</th></tr>";
    for (const netpol::Finding& finding : policies.findings) {
      page << "<tr class=\"" << (finding.severity == "info" ? "ok" : "fail") << "\"><td>"
           << html_escape(finding.severity) << "</td><td>" << html_escape(finding.check) << "</td><td>"
           << html_escape(finding.ns) << "</td><td>" << html_escape(finding.policy) << "</td><td>"
           << html_escape(finding.message) << "</td><td>" << html_escape(finding.hint) << "</td></tr>";
    }
    page << "</table>";
  }
  page << "</body></html>\n";
  return page.str();
}

}  // namespace netprobe
