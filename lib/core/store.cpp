#include "store.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace netprobe {
namespace {

constexpr auto kCompactionAtCapEvery = std::chrono::seconds{10};
constexpr std::uint32_t kNoPosition = std::numeric_limits<std::uint32_t>::max();

}  // namespace

// Fills `index` with the positions of `entries` for as long as it lives, and
// empties it again whatever happens, so the next report finds it clean.
template <typename Entries>
class PositionIndex {
 public:
  PositionIndex(std::vector<std::uint32_t>& index, const Entries& entries) : index_(index), entries_(entries) {
    for (std::uint32_t position = 0; position < entries_.size(); ++position) index_[entries_[position].check] = position;
  }
  ~PositionIndex() {
    for (const auto& entry : entries_) index_[entry.check] = kNoPosition;
  }
  PositionIndex(const PositionIndex&) = delete;
  PositionIndex& operator=(const PositionIndex&) = delete;

 private:
  std::vector<std::uint32_t>& index_;
  const Entries& entries_;
};

std::string_view to_string(AgentState state) { return state == AgentState::reporting ? "reporting" : "stale"; }

Store::Store(int stale_after, int forget_after) : stale_after_(stale_after), forget_after_(forget_after) {}

std::optional<Store::CheckId> Store::id_of(const ProbeResult& result) {
  CheckKey key = key_of(result);
  if (const auto it = check_ids_.find(key); it != check_ids_.end()) return it->second;
  if (checks_.size() >= limits_.max_checks) return std::nullopt;
  const auto id = static_cast<CheckId>(checks_.size());
  check_ids_.emplace(key, id);
  checks_.push_back(std::move(key));
  held_at_.push_back(kNoPosition);
  previous_at_.push_back(kNoPosition);
  return id;
}

bool Store::in_conflict(const Agent& agent, TimePoint now) const {
  return agent.conflict && now - agent.last_flip <= agent.interval * stale_after_;
}

// Returns true when this report starts a conflict.
bool Store::track_identity(Agent& agent, const std::string& remote, TimePoint now) const {
  if (remote.empty() || remote == agent.remote) return false;
  bool started = false;
  const bool owner_live = !agent.remote.empty() && state_of(agent, now) == AgentState::reporting;
  if (owner_live && remote == agent.displaced) {
    started = !in_conflict(agent, now);
    agent.conflict = true;
    agent.last_flip = now;
  }
  agent.displaced = agent.remote;
  agent.remote = remote;
  return started;
}

ApplyResult Store::apply(const AgentReport& report, TimePoint now, const std::string& remote,
                         const std::string& advertised) {
  ApplyResult outcome;
  const AgentKey key{report.node, report.ns};
  auto found = agents_.find(key);
  if (found == agents_.end()) {
    if (agents_.size() >= limits_.max_agents) {
      outcome.agent_refused = true;
      return outcome;
    }
    found = agents_.emplace(key, Agent{}).first;
  }
  Agent& agent = found->second;
  outcome.conflict_detected = track_identity(agent, remote, now);
  agent.address = report.address;
  agent.advertised = advertised.empty() ? report.address : advertised;
  agent.version = report.version;
  agent.interval = report.interval;
  agent.last_report = now;

  // The table also holds checks nobody reports any more until it is compacted;
  // at the cap, compaction walks every result, so at most once in a while. Before
  // the results are read: compaction renumbers the checks.
  if (checks_.size() >= limits_.max_checks && now - last_compaction_at_cap_ >= kCompactionAtCapEvery) {
    last_compaction_at_cap_ = now;
    compact_checks();
  }
  std::vector<Entry> previous;
  if (report.full) previous.swap(agent.results);  // checks missing from a full report are gone
  const PositionIndex held_index(held_at_, agent.results);
  const PositionIndex previous_index(previous_at_, previous);
  for (const ProbeResult& result : report.results) {
    const std::optional<CheckId> id = id_of(result);
    if (!id) {
      ++outcome.over_check_cap;
      continue;
    }
    const std::uint32_t held = held_at_[*id];
    if (held == kNoPosition && agent.results.size() >= limits_.max_results_per_agent) {
      ++outcome.over_agent_cap;  // replaces, never grows, beyond the cap
      continue;
    }
    const Entry* before = report.full ? (previous_at_[*id] == kNoPosition ? nullptr : &previous[previous_at_[*id]])
                                      : (held == kNoPosition ? nullptr : &agent.results[held]);
    const bool unchanged = before != nullptr && before->outcome == result.outcome;
    Entry entry{*id, result.outcome, result.success, result.expect, result.type, result.detail,
                unchanged ? before->since : result.time};
    if (held == kNoPosition) {
      held_at_[*id] = static_cast<std::uint32_t>(agent.results.size());
      agent.results.push_back(std::move(entry));
    } else {
      agent.results[held] = std::move(entry);
    }
    ++outcome.accepted;
  }
  return outcome;
}

void Store::forget_silent_agents(TimePoint now) {
  std::erase_if(agents_, [&](const auto& item) {
    return now - item.second.last_report > item.second.interval * forget_after_;
  });
  // Cheap test first: compaction walks every result, so only when the table has doubled.
  if (checks_.size() > 2 * live_checks_at_compaction_ + 1024) compact_checks();
}

void Store::compact_checks() {
  std::vector<CheckId> renumbered(checks_.size(), std::numeric_limits<CheckId>::max());
  std::vector<CheckKey> live;
  for (auto& [key, agent] : agents_) {
    for (Entry& entry : agent.results) {
      if (renumbered[entry.check] == std::numeric_limits<CheckId>::max()) {
        renumbered[entry.check] = static_cast<CheckId>(live.size());
        live.push_back(checks_[entry.check]);
      }
      entry.check = renumbered[entry.check];
    }
  }
  checks_ = std::move(live);
  held_at_.assign(checks_.size(), kNoPosition);
  previous_at_.assign(checks_.size(), kNoPosition);
  check_ids_.clear();
  for (CheckId id = 0; id < checks_.size(); ++id) check_ids_.emplace(checks_[id], id);
  live_checks_at_compaction_ = checks_.size();
}

AgentState Store::state_of(const Agent& agent, TimePoint now) const {
  return now - agent.last_report > agent.interval * stale_after_ ? AgentState::stale : AgentState::reporting;
}

std::vector<AgentView> Store::agents(TimePoint now) const {
  std::vector<AgentView> views;
  views.reserve(agents_.size());
  for (const auto& [key, agent] : agents_) {
    views.push_back(AgentView{key.first, key.second, agent.address, agent.advertised, in_conflict(agent, now), agent.version,
                              agent.interval, agent.last_report, state_of(agent, now), agent.results.size()});
  }
  return views;
}

std::vector<TargetView> Store::targets(TimePoint now) const {
  std::vector<TargetView> by_id(checks_.size());
  // Counted in a plain array, then moved into each view's map once: one map
  // update per result was a fifth of this walk.
  std::vector<std::array<std::uint32_t, kOutcomes.size()>> counts(checks_.size());
  for (const auto& [agent_key, agent] : agents_) {  // in node order, so failing lists come out sorted
    if (state_of(agent, now) == AgentState::stale) continue;
    for (const Entry& entry : agent.results) {
      TargetView& view = by_id[entry.check];
      if (view.nodes == 0) {
        view.type = entry.type;
        view.expect = entry.expect;
      }
      ++view.nodes;
      ++counts[entry.check][static_cast<std::size_t>(entry.outcome)];
      if (!entry.success) {
        view.failing.push_back(FailingNode{agent_key.first, agent_key.second, entry.outcome, entry.since, entry.detail, nullptr});
        if (view.failing_since == TimePoint{} || entry.since < view.failing_since) view.failing_since = entry.since;
      }
    }
  }
  std::vector<TargetView> views;
  for (CheckId id = 0; id < by_id.size(); ++id) {
    if (by_id[id].nodes == 0) continue;  // nobody reporting it now
    TargetView& view = by_id[id];
    for (std::size_t outcome = 0; outcome < kOutcomes.size(); ++outcome) {
      if (counts[id][outcome] == 0) continue;
      view.nodes_by_outcome.emplace_hint(view.nodes_by_outcome.end(), static_cast<Outcome>(outcome), counts[id][outcome]);
    }
    const CheckKey& key = checks_[id];
    view.probe = key.probe;
    view.target = key.target;
    view.transport = key.transport;
    views.push_back(std::move(view));
  }
  std::sort(views.begin(), views.end(), [](const TargetView& a, const TargetView& b) {
    return std::tie(a.probe, a.target, a.transport) < std::tie(b.probe, b.target, b.transport);
  });
  return views;
}

const MatrixCell* MatrixRow::at(std::size_t column) const {
  const auto found = std::lower_bound(cells.begin(), cells.end(), column,
                                      [](const MatrixCell& cell, std::size_t wanted) { return cell.column < wanted; });
  return found != cells.end() && found->column == column ? &*found : nullptr;
}

OutcomeMatrix Store::matrix(TimePoint now) const {
  std::vector<bool> reported(checks_.size(), false);
  for (const auto& [key, agent] : agents_) {
    if (state_of(agent, now) == AgentState::stale) continue;
    for (const Entry& entry : agent.results) reported[entry.check] = true;
  }
  std::vector<CheckId> columns;
  for (CheckId id = 0; id < reported.size(); ++id) {
    if (reported[id]) columns.push_back(id);
  }
  std::sort(columns.begin(), columns.end(), [this](CheckId a, CheckId b) { return checks_[a] < checks_[b]; });
  std::vector<std::size_t> column_of(checks_.size(), 0);
  OutcomeMatrix matrix;
  matrix.checks.reserve(columns.size());
  for (std::size_t column = 0; column < columns.size(); ++column) {
    column_of[columns[column]] = column;
    matrix.checks.push_back(checks_[columns[column]]);
  }
  for (const auto& [key, agent] : agents_) {
    if (state_of(agent, now) == AgentState::stale) continue;
    MatrixRow& row = matrix.rows.emplace_back(MatrixRow{key.first, key.second, {}});
    row.cells.reserve(agent.results.size());
    for (const Entry& entry : agent.results) {
      row.cells.push_back(MatrixCell{column_of[entry.check], entry.outcome, entry.success, entry.since, entry.success ? "" : entry.detail});
    }
    std::sort(row.cells.begin(), row.cells.end(), [](const MatrixCell& a, const MatrixCell& b) { return a.column < b.column; });
  }
  return matrix;
}

std::size_t Store::result_count() const {
  std::size_t count = 0;
  for (const auto& [key, agent] : agents_) count += agent.results.size();
  return count;
}

AgentRoute Store::route_to(const std::string& node, TimePoint now) const {
  // Agents are keyed by (node, namespace): the first key with this node, if any.
  const auto it = agents_.lower_bound({node, ""});
  if (it == agents_.end() || it->first.first != node) return {"", "no agent has reported from node \"" + node + "\""};
  const Agent& agent = it->second;
  if (in_conflict(agent, now)) {
    return {"", "identity conflict: two live agents report as node \"" + node + "\" (from " + agent.remote + " and " +
                    agent.displaced + "); neither is used until one stops"};
  }
  if (agent.address.empty()) return {"", "the agent on node \"" + node + "\" advertised no usable address"};
  return {agent.address, ""};
}

}  // namespace netprobe
