// What the status page says: which targets come first, what a row says of many
// failing nodes, how thousands of nodes group into a matrix that fits a page.
#include "controller/status_view.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "unit/support/report_builders.hpp"

using namespace netprobe;
using std::chrono::seconds;

namespace {

using test::t0;

ProbeResult result(const std::string& probe, Outcome outcome, TimePoint time, Expect expect = Expect::allow) {
  return test::probe_result(probe, outcome, time, expect);
}

AgentReport report(const std::string& node, std::vector<ProbeResult> results, const std::string& ns = "monitoring") {
  AgentReport r = test::agent_report(node, std::move(results));
  r.ns = ns;
  return r;
}

}  // namespace

TEST_CASE("failing targets first; the majority outcome, not the first node's; names in natural order, cut") {
  Store store;
  // node-0 sorts first and is the odd one out: its `refused` must not speak for the 11 timeouts.
  store.apply(report("node-0", {result("scrape", Outcome::refused, t0), result("dns", Outcome::ok, t0)}), t0);
  for (int i = 1; i <= 11; ++i) {
    store.apply(report("node-" + std::to_string(i), {result("scrape", Outcome::timeout, t0 + seconds{i}),
                                                     result("dns", Outcome::ok, t0)}),
                t0 + seconds{i});
  }
  const std::vector<TargetView> targets = store.targets(t0 + seconds{192});
  const std::vector<TargetSummary> summaries = summarise_targets(targets, t0 + seconds{192});
  REQUIRE(summaries.size() == 2);
  CHECK(summaries[0].view->probe == "scrape");  // failing first, though "dns" sorts before it
  CHECK(summaries[0].majority == Outcome::timeout);
  CHECK(summaries[0].failing_for == Millis{192'000});  // since node-0's refusal at t0
  CHECK(format_age(*summaries[0].failing_for) == "3m12s");
  REQUIRE(summaries[0].outcomes.size() == 2);
  CHECK(summaries[0].outcomes[0].outcome == Outcome::timeout);  // the bar: most nodes first
  CHECK(summaries[0].outcomes[0].nodes == 11);
  CHECK(summaries[0].failing_names ==
        std::vector<std::string>{"node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "node-6", "node-7"});
  CHECK(summaries[0].more_failing == 4);
  CHECK_FALSE(summaries[1].majority);
  CHECK_FALSE(summaries[1].failing_for);
  CHECK(summaries[1].failing_names.empty());
}

TEST_CASE("a tie between outcomes goes to the first in Outcome's order") {
  Store store;
  store.apply(report("a", {result("scrape", Outcome::refused, t0)}), t0);
  store.apply(report("b", {result("scrape", Outcome::timeout, t0)}), t0);
  const std::vector<TargetView> targets = store.targets(t0);
  CHECK(summarise_targets(targets, t0)[0].majority == Outcome::timeout);
}

TEST_CASE("the matrix groups agents by their pattern of outcomes, most failing first, pages of groups") {
  Store store;
  for (int i = 0; i < 120; ++i) {  // 120 healthy nodes: one row
    store.apply(report("node-" + std::to_string(i), {result("scrape", Outcome::ok, t0), result("dns", Outcome::ok, t0)}), t0);
  }
  for (int i : {200, 30, 1000}) {  // three behind the same drop: one row, names in natural order
    store.apply(report("bad-" + std::to_string(i), {result("scrape", Outcome::timeout, t0), result("dns", Outcome::ok, t0)}), t0);
  }
  store.apply(report("worst", {result("scrape", Outcome::refused, t0), result("dns", Outcome::servfail, t0)}), t0);
  // An expect-deny probe that connects: `ok`, and failing.
  store.apply(report("open", {result("scrape", Outcome::ok, t0, Expect::deny), result("dns", Outcome::ok, t0)}), t0);

  const OutcomeMatrix matrix = store.matrix(t0);
  MatrixPage page = matrix_page(matrix, {}, 1);
  CHECK(page.matching_rows == 125);
  REQUIRE(page.total_groups == 4);
  REQUIRE(page.groups.size() == 4);
  CHECK(page.groups[0].rows.front()->node == "worst");
  CHECK(page.groups[0].failing_cells == 2);
  CHECK(page.groups[1].rows.size() == 3);  // one failing cell, three nodes: before the single "open"
  CHECK(page.groups[1].rows[0]->node == "bad-30");
  CHECK(page.groups[1].rows[2]->node == "bad-1000");
  CHECK(page.groups[2].rows.front()->node == "open");
  REQUIRE(page.groups[2].pattern[1]);
  CHECK(page.groups[2].pattern[1]->outcome == Outcome::ok);
  CHECK_FALSE(page.groups[2].pattern[1]->success);
  CHECK(page.groups[3].rows.size() == 120);
  CHECK(page.groups[3].failing_cells == 0);

  page = matrix_page(matrix, {}, 2, 3);  // three groups a page: the healthy row is on page 2
  CHECK(page.pages == 2);
  CHECK(page.page == 2);
  REQUIRE(page.groups.size() == 1);
  CHECK(page.groups[0].rows.size() == 120);
  CHECK(matrix_page(matrix, {}, 99, 3).page == 2);  // past the end: the last page
  CHECK(matrix_page(matrix, {}, 0, 3).page == 1);

  page = matrix_page(matrix, MatrixFilter{"bad", false}, 1);
  CHECK(page.matching_rows == 3);
  CHECK(page.total_groups == 1);
  page = matrix_page(matrix, MatrixFilter{"", true}, 1);
  CHECK(page.matching_rows == 5);
  CHECK(page.total_groups == 3);
  page = matrix_page(matrix, MatrixFilter{"nothing-like-it", false}, 1);
  CHECK(page.matching_rows == 0);
  CHECK(page.pages == 1);
  CHECK(page.groups.empty());
}

TEST_CASE("a fleet has a column per scrape target: the page shows the ones failing most, then the most run") {
  Store store;
  // Every agent runs dns; each runs its own scrape target too; two of those fail, one on two agents.
  for (int i = 0; i < 6; ++i) {
    ProbeResult scrape = result("scrape", i < 3 ? Outcome::refused : Outcome::ok, t0);
    scrape.target = "127.0.0.1:" + std::to_string(9100 + (i < 2 ? 0 : i));
    store.apply(report("node-" + std::to_string(i), {result("dns", Outcome::ok, t0), scrape}), t0);
  }
  const OutcomeMatrix matrix = store.matrix(t0);
  REQUIRE(matrix.checks.size() == 6);  // dns and five scrape targets
  const MatrixPage page = matrix_page(matrix, {}, 1, kMatrixGroupsPerPage, 3);
  CHECK(page.total_columns == 6);
  REQUIRE(page.columns.size() == 3);
  // In the checks' order: dns (run by all six), scrape :9100 (failing on two), scrape :9102 (failing on one).
  CHECK(matrix.checks[page.columns[0]].probe == "dns");
  CHECK(matrix.checks[page.columns[1]].target == "127.0.0.1:9100");
  CHECK(matrix.checks[page.columns[2]].target == "127.0.0.1:9102");
  // Agents alike in the shown columns share a row, whatever the hidden ones say.
  CHECK(page.total_groups == 3);
  CHECK(page.groups.back().rows.size() == 3);  // node-3, node-4, node-5: dns ok, the shown scrapes not run
}

TEST_CASE("a node's view: only the checks its agents run, its own counts and failing entries") {
  Store store;
  store.apply(report("node-a", {result("scrape", Outcome::timeout, t0), result("dns", Outcome::ok, t0)}), t0);
  store.apply(report("node-a", {result("scrape", Outcome::ok, t0)}, "shop"), t0);  // a sentinel on node-a
  store.apply(report("node-b", {result("scrape", Outcome::timeout, t0), result("metadata", Outcome::ok, t0)}), t0);
  std::vector<TargetView> targets = store.targets(t0);
  targets[2].failing[0].policy = std::make_shared<const PolicyAttribution>(
      PolicyAttribution{PolicyVerdict::denied, PolicyDirection::egress, {"monitoring/lock"}, "why"});
  targets[2].policy = TargetPolicy{*targets[2].failing[0].policy, {{PolicyVerdict::denied, 2}}};

  const OutcomeMatrix matrix = store.matrix(t0);
  CHECK(main_namespace(matrix) == "monitoring");
  const std::vector<TargetView> seen = targets_seen_from(targets, matrix, "node-a");
  REQUIRE(seen.size() == 2);  // dns and scrape; metadata is node-b's
  CHECK(seen[0].probe == "dns");
  CHECK(seen[1].probe == "scrape");
  CHECK(seen[1].nodes == 2);  // the agent and the sentinel
  CHECK(seen[1].nodes_by_outcome.at(Outcome::timeout) == 1);
  CHECK(seen[1].nodes_by_outcome.at(Outcome::ok) == 1);
  REQUIRE(seen[1].failing.size() == 1);
  CHECK(seen[1].failing[0].node == "node-a");
  CHECK(seen[1].failing[0].detail == "detail of timeout");
  REQUIRE(seen[1].policy);
  CHECK(seen[1].policy->nodes_by_verdict.at(PolicyVerdict::denied) == 1);  // node-a's own, not the target's 2
  CHECK(targets_seen_from(targets, matrix, "node-z").empty());
  CHECK(targets_seen_from(targets, matrix, "node").empty());  // a prefix is not a node
}

TEST_CASE("every outcome has its own mark") {
  std::vector<std::string_view> marks;
  for (const auto& entry : kOutcomes) marks.push_back(outcome_mark(entry.value));
  std::sort(marks.begin(), marks.end());
  CHECK(std::adjacent_find(marks.begin(), marks.end()) == marks.end());
  CHECK(outcome_mark(Outcome::ok) == "✓");
  CHECK(std::find(marks.begin(), marks.end(), "O") == marks.end());  // kept for an open deny path
  CHECK(cell_mark(CellState{Outcome::timeout, true}) == "✓");  // a deny probe that was dropped: passed
  CHECK(cell_mark(CellState{Outcome::ok, false}) == "O");      // a deny probe that connected
  CHECK(cell_mark(CellState{Outcome::refused, false}) == "R");
}
