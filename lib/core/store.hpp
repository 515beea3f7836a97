#pragma once
// The controller's picture: the latest result of every (node, namespace,
// probe, target, transport), and the agents that sent them. Pure: time is a
// parameter (Kea's injected time), so staleness is tested without waiting.
// Memory is proportional to agents x results; there is no history.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "check_key.hpp"
#include "policy_attribution.hpp"
#include "report.hpp"
#include "result.hpp"

namespace netprobe {

using TimePoint = std::chrono::system_clock::time_point;

enum class AgentState { reporting, stale };
std::string_view to_string(AgentState state);

struct AgentView {
  std::string node;
  std::string ns;
  std::string address;
  std::string advertised;  // as reported, even when refused as `address`: names the agent's pod, never sent to
  bool identity_conflict = false;  // two live reporters claim this (node, namespace)
  std::string version;
  Millis interval{};
  TimePoint last_report;
  AgentState state = AgentState::reporting;
  std::size_t results = 0;
};

struct FailingNode {
  std::string node;
  std::string ns;
  Outcome outcome = Outcome::error;
  TimePoint since;  // when this node's outcome last changed
  std::string detail;
  // What the live policies say of this node's path; filled by the controller
  // (controller/path_explainer), never by the store. Shared with the
  // explainer's cache: every scrape and every second's alert evaluation
  // annotates every failing node, and a copy each time was most of that cost.
  std::shared_ptr<const PolicyAttribution> policy;
};

// One (probe, target, transport) across every reporting agent.
struct TargetView {
  std::string probe;
  ProbeType type = ProbeType::tcp;
  std::string target;
  std::string transport;
  Expect expect = Expect::allow;
  std::map<Outcome, std::size_t> nodes_by_outcome;
  std::vector<FailingNode> failing;  // sorted by node
  std::size_t nodes = 0;
  TimePoint failing_since{};  // earliest `since` among failing nodes (epoch when none fail)
  std::optional<TargetPolicy> policy;  // over the failing nodes' attributions, when there are any
};

// One reporting agent's latest result of every check it runs: a row of the
// status page's node x check matrix. Sparse: a fleet has a column per scrape
// target (a thousand), an agent a few dozen of them.
struct MatrixCell {
  std::size_t column = 0;  // into OutcomeMatrix::checks
  Outcome outcome = Outcome::error;
  bool success = false;
  TimePoint since;
  std::string detail;  // failing cells only: what the page shows on hover
};
struct MatrixRow {
  std::string node;
  std::string ns;
  std::vector<MatrixCell> cells;  // by column; a column missing: this agent does not run that check

  const MatrixCell* at(std::size_t column) const;  // null when not run here
};
struct OutcomeMatrix {
  std::vector<CheckKey> checks;  // the columns, in targets()' order
  std::vector<MatrixRow> rows;   // reporting agents in (node, namespace) order; stale ones count nowhere
};

// What holders of the agent token can make the store hold (docs/security.md).
struct StoreLimits {
  std::size_t max_agents = 25'000;
  std::size_t max_checks = 10'000;
  std::size_t max_results_per_agent = 1'000;
};

// What became of a report: results kept, and those refused by a cap.
struct ApplyResult {
  bool agent_refused = false;     // a new agent beyond max_agents: nothing kept
  std::size_t accepted = 0;
  std::size_t over_agent_cap = 0;  // new checks beyond max_results_per_agent
  std::size_t over_check_cap = 0;  // new (probe, target, transport) beyond max_checks
  bool conflict_detected = false;  // this report revealed a second live reporter
};

// Where to send an ad hoc probe for a node, or why not.
struct AgentRoute {
  std::string address;  // "host:port"; empty when unusable
  std::string unusable;  // why, for people: unknown node, no address, identity conflict
};

class Store {
 public:
  // An agent is stale after `stale_after` report intervals without a report;
  // its results stop counting. It is forgotten after `forget_after` intervals.
  explicit Store(int stale_after = 3, int forget_after = 60);

  // `remote` is the address the report came from. A report never grows an
  // agent beyond max_results_per_agent, nor the store beyond max_agents and
  // max_checks: what does not fit is counted in the result and dropped.
  //
  // Identity: the agent token is shared by every node, so any holder can report
  // as any node. A reporter from a new address takes a node over (a pod that
  // restarted with a new IP); the address it displaced reporting again while
  // the new one is live means two live reporters, a conflict, which holds until
  // the flip-flopping has stopped for stale_after intervals.
  // `advertised` is the address the report gave before the controller refused
  // it for routing (empty: report.address).
  ApplyResult apply(const AgentReport& report, TimePoint now, const std::string& remote = "",
                    const std::string& advertised = "");
  void set_stale_after(int intervals) { stale_after_ = intervals; }
  void set_limits(StoreLimits limits) { limits_ = limits; }
  // Drops agents silent for `forget_after` intervals: memory stays bounded as nodes come and go.
  void forget_silent_agents(TimePoint now);

  std::vector<AgentView> agents(TimePoint now) const;  // sorted by node, namespace
  std::vector<TargetView> targets(TimePoint now) const;  // sorted by probe, target, transport
  OutcomeMatrix matrix(TimePoint now) const;
  std::size_t result_count() const;

  // Where an ad hoc probe for `node` goes: its agent's reported address,
  // unless unknown, stale, or claimed by two live reporters.
  AgentRoute route_to(const std::string& node, TimePoint now) const;

 private:
  using AgentKey = std::pair<std::string, std::string>;                   // node, namespace
  using CheckId = std::uint32_t;
  // What is kept of a result: the (probe, target, transport) strings live once
  // in checks_, so 5,000 agents x 30 results do not hold 150,000 copies of them.
  struct Entry {
    CheckId check = 0;
    Outcome outcome = Outcome::error;
    bool success = false;
    Expect expect = Expect::allow;
    ProbeType type = ProbeType::tcp;
    std::string detail;
    TimePoint since;
  };
  struct Agent {
    std::string address;
    std::string advertised;
    std::string version;
    Millis interval{10'000};
    TimePoint last_report;
    // One entry per check, in no order. A vector rather than a map: targets()
    // walks every result of every agent each second, and a walk through
    // contiguous entries is several times faster than one through hash nodes.
    std::vector<Entry> results;
    // Identity: where reports come from, and the address that one displaced.
    std::string remote;
    std::string displaced;
    TimePoint last_flip{};  // last time the displaced address came back
    bool conflict = false;
  };
  // A check's position in one agent's results while a report is applied, and
  // kNoPosition for every other check: sized to checks_, filled for the agent
  // in hand and emptied again (PositionIndex in store.cpp), so apply() finds a
  // check in O(1) without a map per agent or an allocation per report.
  std::vector<std::uint32_t> held_at_;
  std::vector<std::uint32_t> previous_at_;

  AgentState state_of(const Agent& agent, TimePoint now) const;
  bool in_conflict(const Agent& agent, TimePoint now) const;
  bool track_identity(Agent& agent, const std::string& remote, TimePoint now) const;
  // The id of a result's check; nullopt when it is new and max_checks are held.
  std::optional<CheckId> id_of(const ProbeResult& result);

  int stale_after_;
  StoreLimits limits_;
  int forget_after_;
  std::map<AgentKey, Agent> agents_;
  // Every (probe, target, transport) seen, numbered, so aggregation adds into
  // a vector instead of comparing strings (targets() runs on every scrape and
  // every second for alerts, over every stored result).
  std::unordered_map<CheckKey, CheckId, CheckKeyHash> check_ids_;
  std::vector<CheckKey> checks_;
  std::size_t live_checks_at_compaction_ = 0;
  TimePoint last_compaction_at_cap_{};
  // Renumbers the checks still reported, dropping those no agent has any more
  // (targets that came and went), so the table stays proportional to the present.
  void compact_checks();
};

}  // namespace netprobe
