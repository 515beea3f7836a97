#include "controller/status_view.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "core/natural_order.hpp"

namespace netprobe {
namespace {

std::optional<Outcome> majority_outcome(const std::vector<FailingNode>& failing) {
  std::map<Outcome, std::size_t> counts;
  for (const FailingNode& node : failing) ++counts[node.outcome];
  std::optional<Outcome> majority;
  std::size_t most = 0;
  for (const auto& [outcome, count] : counts) {  // in Outcome's order: the first of a tie stays
    if (count > most) majority = outcome, most = count;
  }
  return majority;
}

bool rows_in_natural_order(const MatrixRow* a, const MatrixRow* b) {
  if (a->node != b->node) return natural_less(a->node, b->node);
  return a->ns < b->ns;
}

// A row's pattern over the shown columns, as a string to group rows by: one byte per cell.
std::string pattern_key(const MatrixRow& row, const std::vector<std::size_t>& columns) {
  std::string key(columns.size(), '\xff');
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (const MatrixCell* cell = row.at(columns[i])) {
      key[i] = static_cast<char>((cell->success ? 0x80 : 0) | static_cast<int>(cell->outcome));
    }
  }
  return key;
}

bool kept(const MatrixRow& row, const MatrixFilter& filter) {
  if (!filter.node_contains.empty() && row.node.find(filter.node_contains) == std::string::npos) return false;
  return !filter.failing_only ||
         std::any_of(row.cells.begin(), row.cells.end(), [](const MatrixCell& cell) { return !cell.success; });
}

}  // namespace

std::vector<TargetSummary> summarise_targets(const std::vector<TargetView>& targets, TimePoint now) {
  std::vector<TargetSummary> summaries;
  summaries.reserve(targets.size());
  for (const TargetView& target : targets) {
    TargetSummary& summary = summaries.emplace_back();
    summary.view = &target;
    for (const auto& [outcome, nodes] : target.nodes_by_outcome) summary.outcomes.push_back(OutcomeCount{outcome, nodes});
    std::stable_sort(summary.outcomes.begin(), summary.outcomes.end(),
                     [](const OutcomeCount& a, const OutcomeCount& b) { return a.nodes > b.nodes; });
    if (target.failing.empty()) continue;
    summary.majority = majority_outcome(target.failing);
    summary.failing_for = std::chrono::duration_cast<Millis>(now - target.failing_since);
    const std::vector<const FailingNode*> ordered = failing_in_natural_order(target);
    const std::size_t named = std::min(ordered.size(), kFailingNamesShown);
    for (std::size_t i = 0; i < named; ++i) summary.failing_names.push_back(ordered[i]->node);
    summary.more_failing = ordered.size() - named;
  }
  std::stable_sort(summaries.begin(), summaries.end(), [](const TargetSummary& a, const TargetSummary& b) {
    return a.view->failing.size() > b.view->failing.size();  // the store's (probe, target, transport) order within
  });
  return summaries;
}

std::vector<const FailingNode*> failing_in_natural_order(const TargetView& target) {
  std::vector<const FailingNode*> ordered;
  ordered.reserve(target.failing.size());
  for (const FailingNode& node : target.failing) ordered.push_back(&node);
  std::sort(ordered.begin(), ordered.end(), [](const FailingNode* a, const FailingNode* b) {
    if (a->node != b->node) return natural_less(a->node, b->node);
    return a->ns < b->ns;
  });
  return ordered;
}

MatrixPage matrix_page(const OutcomeMatrix& matrix, const MatrixFilter& filter, std::size_t page, std::size_t per_page,
                       std::size_t max_columns) {
  MatrixPage out;
  std::vector<const MatrixRow*> rows;
  std::vector<std::size_t> failing(matrix.checks.size(), 0), run(matrix.checks.size(), 0);
  for (const MatrixRow& row : matrix.rows) {
    if (!kept(row, filter)) continue;
    rows.push_back(&row);
    for (const MatrixCell& cell : row.cells) {
      ++run[cell.column];
      if (!cell.success) ++failing[cell.column];
    }
  }
  out.matching_rows = rows.size();
  for (std::size_t column = 0; column < matrix.checks.size(); ++column) {
    if (run[column] > 0) out.columns.push_back(column);
  }
  out.total_columns = out.columns.size();
  if (out.columns.size() > max_columns) {
    std::stable_sort(out.columns.begin(), out.columns.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(failing[a], run[a]) > std::tie(failing[b], run[b]);
    });
    out.columns.resize(max_columns);
    std::sort(out.columns.begin(), out.columns.end());
  }

  std::unordered_map<std::string, std::size_t> group_of;
  std::vector<MatrixGroup> groups;
  for (const MatrixRow* row : rows) {
    const auto [at, added] = group_of.try_emplace(pattern_key(*row, out.columns), groups.size());
    if (added) {
      MatrixGroup& group = groups.emplace_back();
      for (const std::size_t column : out.columns) {
        const MatrixCell* cell = row->at(column);
        group.pattern.push_back(cell ? std::optional<CellState>(CellState{cell->outcome, cell->success}) : std::nullopt);
        if (cell && !cell->success) ++group.failing_cells;
      }
    }
    groups[at->second].rows.push_back(row);
  }
  for (MatrixGroup& group : groups) std::sort(group.rows.begin(), group.rows.end(), rows_in_natural_order);
  std::sort(groups.begin(), groups.end(), [](const MatrixGroup& a, const MatrixGroup& b) {
    if (a.failing_cells != b.failing_cells) return a.failing_cells > b.failing_cells;
    if (a.rows.size() != b.rows.size()) return a.rows.size() > b.rows.size();
    return rows_in_natural_order(a.rows.front(), b.rows.front());
  });
  out.total_groups = groups.size();
  per_page = std::max<std::size_t>(per_page, 1);
  out.pages = std::max<std::size_t>((groups.size() + per_page - 1) / per_page, 1);
  out.page = std::clamp<std::size_t>(page, 1, out.pages);
  const std::size_t first = (out.page - 1) * per_page;
  for (std::size_t i = first; i < std::min(groups.size(), first + per_page); ++i) out.groups.push_back(std::move(groups[i]));
  return out;
}

std::string main_namespace(const OutcomeMatrix& matrix) {
  std::map<std::string_view, std::size_t> counts;
  for (const MatrixRow& row : matrix.rows) ++counts[row.ns];
  std::string_view most;
  std::size_t highest = 0;
  for (const auto& [ns, count] : counts) {
    if (count > highest) most = ns, highest = count;
  }
  return std::string(most);
}

std::vector<TargetView> targets_seen_from(const std::vector<TargetView>& targets, const OutcomeMatrix& matrix,
                                          std::string_view node) {
  std::vector<const MatrixRow*> rows;
  for (const MatrixRow& row : matrix.rows) {
    if (row.node == node) rows.push_back(&row);
  }
  std::vector<TargetView> seen;
  if (rows.empty()) return seen;
  auto target = targets.begin();
  for (std::size_t column = 0; column < matrix.checks.size(); ++column) {
    const CheckKey& key = matrix.checks[column];
    target = std::lower_bound(target, targets.end(), key,
                              [](const TargetView& view, const CheckKey& wanted) { return key_of(view) < wanted; });
    if (target == targets.end() || key_of(*target) != key) continue;
    TargetView view;
    view.probe = target->probe;
    view.type = target->type;
    view.target = target->target;
    view.transport = target->transport;
    view.expect = target->expect;
    for (const MatrixRow* row : rows) {
      const MatrixCell* cell = row->at(column);
      if (!cell) continue;
      ++view.nodes;
      ++view.nodes_by_outcome[cell->outcome];
    }
    if (view.nodes == 0) continue;
    for (const FailingNode& failing : target->failing) {
      if (failing.node != node) continue;
      view.failing.push_back(failing);
      if (view.failing_since == TimePoint{} || failing.since < view.failing_since) view.failing_since = failing.since;
    }
    if (target->policy && !view.failing.empty()) {
      std::vector<const PolicyAttribution*> attributions;
      for (const FailingNode& failing : view.failing) {
        if (failing.policy) attributions.push_back(&*failing.policy);
      }
      view.policy = summarise(attributions);
    }
    seen.push_back(std::move(view));
  }
  return seen;
}

std::string_view outcome_mark(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "✓";
    case Outcome::timeout: return "T";
    case Outcome::refused: return "R";
    case Outcome::unreachable: return "U";
    case Outcome::reset: return "X";
    case Outcome::nxdomain: return "N";
    case Outcome::servfail: return "S";
    case Outcome::dns_refused: return "DR";
    case Outcome::dns_error: return "DE";
    case Outcome::resolve_error: return "?";
    case Outcome::http_status: return "H";
    case Outcome::tls_error: return "L";
    case Outcome::token_timeout: return "K";
    case Outcome::error: return "E";
  }
  return "E";
}

std::string_view cell_mark(CellState cell) {
  if (cell.success) return "✓";
  if (cell.outcome == Outcome::ok) return "O";
  return outcome_mark(cell.outcome);
}

}  // namespace netprobe
