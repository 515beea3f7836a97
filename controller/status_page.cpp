#include "controller/status_page.hpp"

#include <algorithm>
#include <sstream>

#include "controller/html.hpp"
#include "controller/status_view.hpp"
#include "core/natural_order.hpp"
#include "core/result.hpp"

namespace netprobe {
namespace {

// Agents and names shown in one list before "and N more" (a link to the rest).
constexpr std::size_t kNamesInGroup = 40;
constexpr std::size_t kFailingNodesPerPage = 200;
constexpr std::size_t kTargetsPerPage = 50;

std::string plural(std::size_t count, std::string_view one, std::string_view many) {
  return with_thousands(count) + " " + std::string(count == 1 ? one : many);
}

std::string check_label(const CheckKey& key) { return key.probe + " → " + key.target + " (" + key.transport + ")"; }

Query target_query(const CheckKey& key) {
  return {{"probe", key.probe}, {"target", key.target}, {"transport", key.transport}};
}

std::string node_link(const std::string& node) {
  return "<a href=\"" + link_to("/", {{"node", node}}) + "\">" + html_escape(node) + "</a>";
}

std::string age_of(TimePoint since, TimePoint now) {
  return format_age(std::chrono::duration_cast<Millis>(now - since));
}

// The bar of nodes by outcome, and the same in words (never colour alone).
void write_outcome_bar(std::ostream& page, const std::vector<OutcomeCount>& outcomes, Expect expect) {
  std::size_t total = 0;
  for (const OutcomeCount& count : outcomes) total += count.nodes;
  std::string words;
  for (const OutcomeCount& count : outcomes) {
    words += (words.empty() ? "" : " · ") + with_thousands(count.nodes) + " " + std::string(to_string(count.outcome));
  }
  page << "<div class=\"bar\" role=\"img\" aria-label=\"" << html_escape(words) << "\">";
  for (const OutcomeCount& count : outcomes) {
    const bool passed = verdict(expect, count.outcome);
    const std::size_t percent = total == 0 ? 0 : std::max<std::size_t>(1, count.nodes * 100 / total);
    page << "<span class=\"seg " << (passed ? "pass" : "fail o-" + std::string(to_string(count.outcome))) << " w"
         << percent << "\"></span>";
  }
  page << "</div><div class=\"bar-words\">" << html_escape(words) << "</div>";
}

void write_verdict(std::ostream& page, const std::optional<TargetPolicy>& policy) {
  if (!policy) return;
  const PolicyAttribution& summary = policy->summary;
  page << "<span class=\"verdict v-" << to_string(summary.verdict) << "\">" << to_string(summary.verdict);
  if (summary.direction) page << " (" << to_string(*summary.direction) << ")";
  page << "</span> " << html_escape(summary.reason);
}

void write_head(std::ostream& page, std::string_view title, int refresh_seconds) {
  page << "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>"
       << html_escape(title)
       << "</title><link rel=\"icon\" href=\"/static/favicon.svg\"><link rel=\"stylesheet\" href=\"/static/status.css\">"
          "<script src=\"/static/status.js\" defer></script></head><body>"
          "<header><a class=\"home\" href=\"/\">netprobe</a> <a href=\"/api/v1/status\">status JSON</a> "
          "<a href=\"/api/v1/findings\">findings JSON</a> <a href=\"/metrics\">metrics</a></header>"
          "<main id=\"live\" data-refresh-seconds=\""
       << refresh_seconds << "\">";
}

void write_tail(std::ostream& page) {
  page << "</main><div id=\"detail\" role=\"status\" aria-live=\"polite\" hidden></div></body></html>\n";
}

void write_summary(std::ostream& page, const StatusPageInput& input) {
  std::size_t failing = 0, reporting = 0, stale = 0;
  for (const TargetView& target : input.targets) failing += target.failing.empty() ? 0U : 1U;
  for (const AgentView& agent : input.agents) ++(agent.state == AgentState::reporting ? reporting : stale);
  page << "<p class=\"summary\"><span class=\"" << (failing == 0 ? "good" : "bad") << "\">"
       << with_thousands(failing) << " of " << plural(input.targets.size(), "target", "targets") << " failing</span> · "
       << plural(reporting, "agent", "agents") << " reporting";
  if (stale > 0) page << " · <span class=\"bad\">" << with_thousands(stale) << " stale</span>";
  if (input.nodes_without_agent && !input.nodes_without_agent->empty()) {
    page << " · <span class=\"bad\">" << plural(input.nodes_without_agent->size(), "node", "nodes")
         << " without an agent</span>";
  }
  if (reporting == 0) page << " · <span class=\"bad\">no agent is reporting: nothing here is being checked</span>";
  page << " · as of <time datetime=\"" << format_time(input.now) << "\">" << format_time(input.now) << "</time></p>";
}

Query matrix_query(const StatusPageQuery& query, std::size_t page);

void write_targets(std::ostream& page, const std::vector<TargetSummary>& summaries, const StatusPageQuery& query) {
  page << "<section id=\"targets\"><h2>Targets</h2>";
  if (summaries.empty()) {
    page << "<p>No results yet: agents report every interval (10 s by default).</p></section>";
    return;
  }
  const std::size_t pages = (summaries.size() + kTargetsPerPage - 1) / kTargetsPerPage;
  const std::size_t shown_page = std::clamp<std::size_t>(query.targets_page, 1, pages);
  const std::size_t first = (shown_page - 1) * kTargetsPerPage, last = std::min(summaries.size(), first + kTargetsPerPage);
  page << "<table class=\"targets\"><thead><tr><th>state</th><th>probe → target</th><th>nodes by outcome</th>"
          "<th>failing for</th><th>most failing nodes say</th><th>NetworkPolicy verdict</th><th>failing nodes</th>"
          "</tr></thead><tbody>";
  for (std::size_t i = first; i < last; ++i) {
    const TargetSummary& summary = summaries[i];
    const TargetView& target = *summary.view;
    const bool failing = !target.failing.empty();
    page << "<tr class=\"" << (failing ? "row-fail" : "row-pass") << "\"><td class=\"state\">"
         << (failing ? "✗ failing" : "✓ passing") << "</td><td><a href=\"" << link_to("/", target_query(key_of(target)))
         << "\">" << html_escape(check_label(key_of(target))) << "</a>";
    if (target.expect == Expect::deny) page << " <span class=\"tag\">expect deny</span>";
    page << "</td><td>";
    write_outcome_bar(page, summary.outcomes, target.expect);
    page << "</td><td class=\"age\">";
    if (summary.failing_for) page << "failing for " << format_age(*summary.failing_for);
    page << "</td><td>";
    if (summary.majority) {
      page << "<b>" << to_string(*summary.majority) << "</b>: " << html_escape(likely_cause(*summary.majority));
    }
    page << "</td><td>";
    write_verdict(page, target.policy);
    page << "</td><td class=\"names\">";
    for (std::size_t n = 0; n < summary.failing_names.size(); ++n) page << (n ? ", " : "") << node_link(summary.failing_names[n]);
    if (summary.more_failing > 0) {
      page << " <a href=\"" << link_to("/", target_query(key_of(target))) << "\">and " << with_thousands(summary.more_failing)
           << " more</a>";
    }
    page << "</td></tr>";
  }
  page << "</tbody></table>";
  if (pages > 1) {
    const auto targets_link = [&](std::size_t number) {
      Query linked = matrix_query(query, query.page);
      linked.emplace_back("tpage", std::to_string(number));
      return link_to("/", linked);
    };
    page << "<nav class=\"pages\">";
    if (shown_page > 1) page << "<a href=\"" << targets_link(shown_page - 1) << "\">← previous</a> ";
    page << "targets " << with_thousands(first + 1) << "–" << with_thousands(last) << " of " << with_thousands(summaries.size())
         << " (failing first)";
    if (shown_page < pages) page << " <a href=\"" << targets_link(shown_page + 1) << "\">next →</a>";
    page << "</nav>";
  }
  page << "</section>";
}

// One cell: its mark, its colour class, and what hover or tap shows.
void write_cell(std::ostream& page, const std::optional<CellState>& cell, const CheckKey& check, const MatrixGroup& group,
                std::size_t column, TimePoint now) {
  if (!cell) {
    page << "<td class=\"cell none\" title=\"not run here\">·</td>";
    return;
  }
  std::string title = check_label(check) + ": " + std::string(to_string(cell->outcome)) +
                      (cell->success ? "" : " — " + std::string(likely_cause(cell->outcome)));
  if (group.rows.size() == 1) {
    const MatrixCell& only = *group.rows.front()->at(column);
    title += " (for " + age_of(only.since, now) + ")";
    if (!only.detail.empty()) title += ": " + only.detail;
  } else {
    title += " on " + plural(group.rows.size(), "agent", "agents");
  }
  // data-key: the row's first node and the check, which name the cell across refreshes (status.js keeps
  // the selection by it) even when rows or columns move.
  page << "<td class=\"cell " << (cell->success ? "pass" : "fail o-" + std::string(to_string(cell->outcome)))
       << "\" tabindex=\"0\" data-key=\"" << html_escape(group.rows.front()->node + " " + check_label(check))
       << "\" data-detail=\"" << html_escape(title) << "\" title=\"" << html_escape(title) << "\">"
       << cell_mark(*cell) << "</td>";
}

std::string row_name(const MatrixRow& row, const std::string& main_ns) {
  return node_link(row.node) + (row.ns == main_ns ? "" : " <span class=\"tag\">" + html_escape(row.ns) + "</span>");
}

Query matrix_query(const StatusPageQuery& query, std::size_t page) {
  Query out;
  if (!query.node_contains.empty()) out.emplace_back("q", query.node_contains);
  if (query.failing_only) out.emplace_back("failing", "1");
  if (page > 1) out.emplace_back("page", std::to_string(page));
  return out;
}

// The matrix's links keep the page of targets, and the targets' links the matrix's.
Query with_targets_page(Query query, const StatusPageQuery& from) {
  if (from.targets_page > 1) query.emplace_back("tpage", std::to_string(from.targets_page));
  return query;
}

void write_matrix(std::ostream& page, const OutcomeMatrix& matrix, const StatusPageQuery& query, TimePoint now) {
  const MatrixPage shown = matrix_page(matrix, MatrixFilter{query.node_contains, query.failing_only}, query.page);
  const std::string main_ns = main_namespace(matrix);
  page << "<section id=\"matrix\"><h2>Nodes × checks</h2>"
          "<form method=\"get\" action=\"/\" class=\"filter\"><label>node name contains <input type=\"search\" "
          "name=\"q\" id=\"filter-q\" value=\""
       << html_escape(query.node_contains) << "\"></label> <label><input type=\"checkbox\" name=\"failing\" value=\"1\""
       << (query.failing_only ? " checked" : "") << "> failing only</label> <button type=\"submit\">filter</button></form>";
  page << "<p>" << plural(shown.matching_rows, "agent", "agents") << " in " << plural(shown.total_groups, "row", "rows")
       << ": agents whose every check shown has the same outcome share a row. Hover or tap a cell for its detail.";
  if (shown.columns.size() < shown.total_columns) {
    page << " Showing " << shown.columns.size() << " of " << with_thousands(shown.total_columns)
         << " checks: those failing on most of these agents, then those most of them run; every check is in the"
            " targets above.";
  }
  page << "</p>";
  if (shown.groups.empty()) {
    page << "<p>No agent matches.</p></section>";
    return;
  }
  page << "<div class=\"scroll\"><table class=\"matrix\"><thead><tr><th>agents</th>";
  for (const std::size_t column : shown.columns) {
    const CheckKey& check = matrix.checks[column];
    page << "<th class=\"check\"><a href=\"" << link_to("/", target_query(check)) << "\" title=\""
         << html_escape(check_label(check)) << "\"><span>" << html_escape(check.probe + "/" + check.transport)
         << "</span></a></th>";
  }
  page << "</tr></thead><tbody>";
  for (std::size_t g = 0; g < shown.groups.size(); ++g) {
    const MatrixGroup& group = shown.groups[g];
    page << "<tr class=\"" << (group.failing_cells > 0 ? "row-fail" : "row-pass") << "\"><th class=\"who\">";
    if (group.rows.size() == 1) {
      page << row_name(*group.rows.front(), main_ns);
    } else {
      page << "<details data-keep=\"group-" << html_escape(group.rows.front()->node) << "\"><summary>"
           << plural(group.rows.size(), "agent", "agents") << "</summary>";
      const std::size_t named = std::min(group.rows.size(), kNamesInGroup);
      for (std::size_t i = 0; i < named; ++i) page << (i ? ", " : "") << row_name(*group.rows[i], main_ns);
      if (group.rows.size() > named) page << " and " << with_thousands(group.rows.size() - named) << " more";
      page << "</details>";
    }
    page << "</th>";
    for (std::size_t i = 0; i < shown.columns.size(); ++i) {
      write_cell(page, group.pattern[i], matrix.checks[shown.columns[i]], group, shown.columns[i], now);
    }
    page << "</tr>";
  }
  page << "</tbody></table></div>";
  if (shown.pages > 1) {
    page << "<nav class=\"pages\">";
    if (shown.page > 1) page << "<a rel=\"prev\" href=\"" << link_to("/", with_targets_page(matrix_query(query, shown.page - 1), query)) << "\">← previous</a> ";
    page << "rows page " << shown.page << " of " << shown.pages;
    if (shown.page < shown.pages) page << " <a rel=\"next\" href=\"" << link_to("/", with_targets_page(matrix_query(query, shown.page + 1), query)) << "\">next →</a>";
    page << "</nav>";
  }
  page << "<p class=\"legend\">✓ passed · T timeout · R refused · U unreachable · X reset · N nxdomain · S servfail · "
          "DR dns_refused · DE dns_error · ? resolve_error · H http_status · L tls_error · K token_timeout · E error · "
          "O an expect-deny path that connected · · not run</p></section>";
}

void write_findings(std::ostream& page, const PolicySnapshot& policies) {
  if (!policies.enabled) return;
  page << "<section id=\"findings\"><h2>NetworkPolicy findings</h2><p>";
  if (policies.analysed_at) {
    page << plural(policies.policies, "policy", "policies") << ", " << with_thousands(policies.pods)
         << " pods and workloads, analysed " << format_time(*policies.analysed_at) << ". ";
  }
  if (!policies.error.empty()) page << "<span class=\"bad\">Last attempt failed: " << html_escape(policies.error) << "</span>";
  page << "</p>";
  if (policies.findings.empty()) {
    page << "<p>No findings.</p></section>";
    return;
  }
  page << "<table class=\"findings\"><thead><tr><th>severity</th><th>check</th><th>namespace</th><th>policy</th>"
          "<th>finding</th><th>hint</th></tr></thead><tbody>";
  for (const netpol::Finding& finding : policies.findings) {
    page << "<tr class=\"sev-" << html_escape(finding.severity) << "\"><td class=\"severity\">" << html_escape(finding.severity)
         << "</td><td>" << html_escape(finding.check) << "</td><td>" << html_escape(finding.ns) << "</td><td>"
         << html_escape(finding.policy) << "</td><td>" << html_escape(finding.message) << "</td><td>"
         << html_escape(finding.hint) << "</td></tr>";
  }
  page << "</tbody></table></section>";
}

// Only the agents that need someone: stale, in conflict, or missing.
void write_agents(std::ostream& page, const StatusPageInput& input) {
  std::vector<const AgentView*> trouble;
  for (const AgentView& agent : input.agents) {
    if (agent.state != AgentState::reporting || agent.identity_conflict) trouble.push_back(&agent);
  }
  std::sort(trouble.begin(), trouble.end(), [](const AgentView* a, const AgentView* b) { return natural_less(a->node, b->node); });
  const bool missing = input.nodes_without_agent && !input.nodes_without_agent->empty();
  page << "<section id=\"agents\"><h2>Agents</h2>";
  if (trouble.empty() && !missing) {
    page << "<p>Every agent that reported is reporting.</p></section>";
    return;
  }
  if (!trouble.empty()) {
    page << "<table class=\"agents\"><thead><tr><th>node</th><th>namespace</th><th>state</th><th>last report</th>"
            "<th>version</th></tr></thead><tbody>";
    for (const AgentView* agent : trouble) {
      page << "<tr class=\"row-fail\"><td>" << node_link(agent->node) << "</td><td>" << html_escape(agent->ns)
           << "</td><td>" << to_string(agent->state) << (agent->identity_conflict ? ", identity conflict" : "")
           << "</td><td>" << age_of(agent->last_report, input.now) << " ago</td><td>" << html_escape(agent->version)
           << "</td></tr>";
    }
    page << "</tbody></table>";
  }
  if (missing) {
    std::vector<std::string> nodes = *input.nodes_without_agent;
    std::sort(nodes.begin(), nodes.end(), [](const std::string& a, const std::string& b) { return natural_less(a, b); });
    page << "<p class=\"bad\">" << plural(nodes.size(), "node has", "nodes have") << " no agent: ";
    const std::size_t named = std::min(nodes.size(), kNamesInGroup);
    for (std::size_t i = 0; i < named; ++i) page << (i ? ", " : "") << html_escape(nodes[i]);
    if (nodes.size() > named) page << " and " << with_thousands(nodes.size() - named) << " more";
    page << ".</p>";
  }
  page << "</section>";
}

void write_failing_table(std::ostream& page, const std::vector<const FailingNode*>& failing, std::size_t first,
                         std::size_t last, bool with_node, TimePoint now) {
  page << "<table class=\"failing\"><thead><tr>" << (with_node ? "<th>node</th><th>namespace</th>" : "")
       << "<th>outcome</th><th>for</th><th>detail</th><th>NetworkPolicy verdict</th></tr></thead><tbody>";
  for (std::size_t i = first; i < last; ++i) {
    const FailingNode& node = *failing[i];
    page << "<tr class=\"row-fail\">";
    if (with_node) page << "<td>" << node_link(node.node) << "</td><td>" << html_escape(node.ns) << "</td>";
    page << "<td class=\"fail o-" << to_string(node.outcome) << "\">" << outcome_mark(node.outcome) << " "
         << to_string(node.outcome) << "</td><td class=\"age\">" << age_of(node.since, now) << "</td><td>"
         << html_escape(node.detail) << "</td><td>";
    if (node.policy) {
      page << "<span class=\"verdict v-" << to_string(node.policy->verdict) << "\">" << to_string(node.policy->verdict)
           << "</span> " << html_escape(node.policy->reason);
    }
    page << "</td></tr>";
  }
  page << "</tbody></table>";
}

RenderedPage overview(const StatusPageInput& input, const StatusPageQuery& query) {
  std::ostringstream page;
  write_head(page, "netprobe", query.refresh_seconds);
  write_summary(page, input);
  write_targets(page, summarise_targets(input.targets, input.now), query);
  write_matrix(page, input.matrix, query, input.now);
  write_findings(page, input.policies);
  write_agents(page, input);
  write_tail(page);
  return {200, page.str()};
}

RenderedPage not_found(std::string_view title, const std::string& message) {
  std::ostringstream page;
  write_head(page, title, 0);
  page << "<h1>" << html_escape(title) << "</h1><p class=\"bad\">" << html_escape(message)
       << "</p><p><a href=\"/\">Back to the overview</a></p>";
  write_tail(page);
  return {404, page.str()};
}

RenderedPage node_page(const StatusPageInput& input, const StatusPageQuery& query) {
  const std::string& node = query.node;
  const std::vector<TargetView> seen = targets_seen_from(input.targets, input.matrix, node);
  std::vector<const AgentView*> agents;
  for (const AgentView& agent : input.agents) {
    if (agent.node == node) agents.push_back(&agent);
  }
  if (agents.empty()) return not_found("node " + node, "No agent has reported from node \"" + node + "\".");
  std::ostringstream page;
  write_head(page, "netprobe: node " + node, query.refresh_seconds);
  page << "<h1>Node " << html_escape(node) << "</h1><p>";
  for (const AgentView* agent : agents) {
    page << "<span class=\"" << (agent->state == AgentState::reporting ? "good" : "bad") << "\">" << html_escape(agent->ns)
         << ": " << to_string(agent->state) << "</span>, last report " << age_of(agent->last_report, input.now)
         << " ago, " << plural(agent->results, "result", "results") << ", version " << html_escape(agent->version) << ". ";
  }
  page << "As of " << format_time(input.now) << ". JSON: <a href=\"" << link_to("/api/v1/status", {{"node", node}})
       << "\">/api/v1/status?node=" << html_escape(node) << "</a>.</p>";
  if (seen.empty()) page << "<p>This node's agents report nothing now (stale agents count nowhere).</p>";
  page << "<table class=\"targets\"><thead><tr><th>state</th><th>probe → target</th><th>outcome</th><th>for</th>"
          "<th>detail</th><th>NetworkPolicy verdict</th></tr></thead><tbody>";
  for (const TargetView& target : seen) {
    const bool failing = !target.failing.empty();
    page << "<tr class=\"" << (failing ? "row-fail" : "row-pass") << "\"><td class=\"state\">"
         << (failing ? "✗ failing" : "✓ passing") << "</td><td><a href=\"" << link_to("/", target_query(key_of(target))) << "\">"
         << html_escape(check_label(key_of(target))) << "</a></td>";
    if (failing) {
      const FailingNode& first = target.failing.front();
      page << "<td class=\"fail o-" << to_string(first.outcome) << "\">" << outcome_mark(first.outcome) << " "
           << to_string(first.outcome) << "</td><td class=\"age\">" << age_of(target.failing_since, input.now)
           << "</td><td>" << html_escape(first.detail) << "</td><td>";
      write_verdict(page, target.policy);
      page << "</td>";
    } else {
      std::string outcomes;
      for (const auto& [outcome, count] : target.nodes_by_outcome) outcomes += (outcomes.empty() ? "" : ", ") + std::string(to_string(outcome));
      page << "<td class=\"pass\">✓ " << outcomes << "</td><td></td><td></td><td></td>";
    }
    page << "</tr>";
  }
  page << "</tbody></table>";
  write_tail(page);
  return {200, page.str()};
}

RenderedPage target_page(const StatusPageInput& input, const StatusPageQuery& query) {
  const CheckKey& key = *query.target;
  const auto target = std::find_if(input.targets.begin(), input.targets.end(),
                                   [&](const TargetView& view) { return key_of(view) == key; });
  if (target == input.targets.end()) return not_found("target", "No agent reports " + check_label(key) + " now.");
  std::vector<const FailingNode*> failing = failing_in_natural_order(*target);
  if (!query.node_contains.empty()) {
    std::erase_if(failing, [&](const FailingNode* node) { return node->node.find(query.node_contains) == std::string::npos; });
  }
  const std::size_t pages = std::max<std::size_t>((failing.size() + kFailingNodesPerPage - 1) / kFailingNodesPerPage, 1);
  const std::size_t shown_page = std::clamp<std::size_t>(query.page, 1, pages);
  const std::size_t first = (shown_page - 1) * kFailingNodesPerPage;
  const std::size_t last = std::min(failing.size(), first + kFailingNodesPerPage);

  const std::vector<TargetView> just_this{*target};  // summary.view points into it
  const std::vector<TargetSummary> summary = summarise_targets(just_this, input.now);
  std::ostringstream page;
  write_head(page, "netprobe: " + check_label(key), query.refresh_seconds);
  page << "<h1>" << html_escape(check_label(key)) << "</h1>";
  write_outcome_bar(page, summary.front().outcomes, target->expect);
  page << "<p>" << plural(target->nodes, "agent runs", "agents run") << " it; "
       << with_thousands(target->failing.size()) << " failing";
  if (summary.front().failing_for) page << " for " << format_age(*summary.front().failing_for);
  if (summary.front().majority) {
    page << "; most say <b>" << to_string(*summary.front().majority) << "</b>: "
         << html_escape(likely_cause(*summary.front().majority));
  }
  page << ". As of " << format_time(input.now) << ".</p>";
  if (target->policy) {
    page << "<p>";
    write_verdict(page, target->policy);
    page << "</p>";
  }
  if (!target->failing.empty()) {
    Query here = target_query(key);
    page << "<form method=\"get\" action=\"/\" class=\"filter\">";
    for (const auto& [name, value] : here) {
      page << "<input type=\"hidden\" name=\"" << name << "\" value=\"" << html_escape(value) << "\">";
    }
    page << "<label>node name contains <input type=\"search\" name=\"q\" id=\"filter-q\" value=\""
         << html_escape(query.node_contains) << "\"></label> <button type=\"submit\">filter</button></form>";
    write_failing_table(page, failing, first, last, true, input.now);
    if (pages > 1) {
      const auto page_link = [&](std::size_t number) {
        Query linked = here;
        if (!query.node_contains.empty()) linked.emplace_back("q", query.node_contains);
        linked.emplace_back("page", std::to_string(number));
        return link_to("/", linked);
      };
      page << "<nav class=\"pages\">";
      if (shown_page > 1) page << "<a rel=\"prev\" href=\"" << page_link(shown_page - 1) << "\">← previous</a> ";
      page << "failing nodes page " << shown_page << " of " << pages;
      if (shown_page < pages) page << " <a rel=\"next\" href=\"" << page_link(shown_page + 1) << "\">next →</a>";
      page << "</nav>";
    }
  }
  write_tail(page);
  return {200, page.str()};
}

}  // namespace

RenderedPage render_status_page(const StatusPageInput& input, const StatusPageQuery& query) {
  if (!query.node.empty()) return node_page(input, query);
  if (query.target) return target_page(input, query);
  return overview(input, query);
}

}  // namespace netprobe
