#pragma once
// What the status page says, decided apart from its HTML (controller/status_page
// renders it): which targets come first, what one row of a target says about
// 150 failing nodes, and how 5,000 nodes x 30 checks fit on a page that opens in
// a second. Pure: time is a parameter, nothing is read or written.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/check_key.hpp"
#include "core/duration.hpp"
#include "core/store.hpp"

namespace netprobe {

// Failing nodes named on a target's row before "and N more".
inline constexpr std::size_t kFailingNamesShown = 8;

struct OutcomeCount {
  Outcome outcome = Outcome::ok;
  std::size_t nodes = 0;
};

// One target's row of the overview.
struct TargetSummary {
  const TargetView* view = nullptr;  // into the views summarise_targets was given
  std::vector<OutcomeCount> outcomes;  // the bar: most nodes first
  // The outcome most failing nodes have (on a tie, the first in Outcome's
  // order), whatever node sorts first: 150 `timeout` and one `refused` is a drop.
  std::optional<Outcome> majority;
  std::optional<Millis> failing_for;  // since the earliest failing node's outcome changed
  std::vector<std::string> failing_names;  // the first kFailingNamesShown failing nodes, natural order
  std::size_t more_failing = 0;            // failing nodes beyond those named
};

// Failing targets first (most failing nodes first), then the rest, each group
// by (probe, target, transport).
std::vector<TargetSummary> summarise_targets(const std::vector<TargetView>& targets, TimePoint now);

// A target's failing nodes in natural order ("node-2" before "node-10").
std::vector<const FailingNode*> failing_in_natural_order(const TargetView& target);

// Which rows of the matrix a page shows.
struct MatrixFilter {
  std::string node_contains;  // "" for all
  bool failing_only = false;  // only agents with a failing cell
};

// Agents whose every cell has the same outcome share one row: 4,850 healthy
// nodes are one row, the 150 behind a broken policy another.
struct CellState {
  Outcome outcome = Outcome::ok;
  bool success = true;  // an `ok` of an expect-deny probe is a failure
};
struct MatrixGroup {
  std::vector<std::optional<CellState>> pattern;  // per shown column; nullopt: not run by these agents
  std::vector<const MatrixRow*> rows;           // natural order of node, then namespace
  std::size_t failing_cells = 0;                // in the pattern
};

struct MatrixPage {
  // The columns shown, into OutcomeMatrix::checks in its order: at most max_columns, those
  // failing on most of the kept agents first, then those most of them run. A fleet has a
  // column per scrape target; a page a person reads has a few dozen.
  std::vector<std::size_t> columns;
  std::size_t total_columns = 0;  // columns the kept agents run
  std::size_t matching_rows = 0;  // agents the filter keeps
  std::size_t total_groups = 0;
  std::size_t page = 1;   // 1-based, clamped to the pages there are
  std::size_t pages = 1;
  std::vector<MatrixGroup> groups;  // this page's, most failing cells first, then the largest
};

inline constexpr std::size_t kMatrixGroupsPerPage = 50;
inline constexpr std::size_t kMatrixColumns = 40;

// Agents alike in the shown columns share a row.
MatrixPage matrix_page(const OutcomeMatrix& matrix, const MatrixFilter& filter, std::size_t page,
                       std::size_t per_page = kMatrixGroupsPerPage, std::size_t max_columns = kMatrixColumns);

// The namespace most matrix rows have (the agents'): rows of any other
// (sentinels) are labelled with theirs. "" for an empty matrix.
std::string main_namespace(const OutcomeMatrix& matrix);

// The targets as one node sees them: each check that node's agents run, its
// counts over those agents only and their failing entries (with attributions),
// for the node's page and GET /api/v1/status?node=. Empty: no reporting agent
// on that node.
std::vector<TargetView> targets_seen_from(const std::vector<TargetView>& targets, const OutcomeMatrix& matrix,
                                          std::string_view node);

// A short mark for each outcome, so a cell is read without its colour
// ("✓" ok, "T" timeout, "R" refused, …): the page never tells by colour alone.
std::string_view outcome_mark(Outcome outcome);
// A cell's mark: "✓" when it passed (a deny probe's timeout too), "O" (open)
// for an expect-deny probe that connected, else its outcome's mark.
std::string_view cell_mark(CellState cell);

}  // namespace netprobe
