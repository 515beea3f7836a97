#pragma once
// The controller's picture: the latest result of every (node, namespace,
// probe, target, transport), and the agents that sent them. Pure: time is a
// parameter (Kea's injected time), so staleness is tested without waiting.
// Memory is proportional to agents x results; there is no history.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

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
};

class Store {
 public:
  // An agent is stale after `stale_after` report intervals without a report;
  // its results stop counting. It is forgotten after `forget_after` intervals.
  explicit Store(int stale_after = 3, int forget_after = 60);

  void apply(const AgentReport& report, TimePoint now);
  void set_stale_after(int intervals) { stale_after_ = intervals; }
  // Drops agents silent for `forget_after` intervals: memory stays bounded as nodes come and go.
  void forget_silent_agents(TimePoint now);

  std::vector<AgentView> agents(TimePoint now) const;  // sorted by node, namespace
  std::vector<TargetView> targets(TimePoint now) const;  // sorted by probe, target, transport
  std::size_t result_count() const;

  // The API address an agent last reported, or "" if unknown.
  std::string agent_address(const std::string& node) const;

 private:
  using AgentKey = std::pair<std::string, std::string>;                   // node, namespace
  using CheckKey = std::tuple<std::string, std::string, std::string>;     // probe, target, transport
  using CheckId = std::uint32_t;
  struct CheckKeyHash {
    std::size_t operator()(const CheckKey& key) const;
  };
  // What is kept of a result: the (probe, target, transport) strings live once
  // in checks_, so 5,000 agents x 30 results do not hold 150,000 copies of them.
  struct Entry {
    Outcome outcome = Outcome::error;
    bool success = false;
    Expect expect = Expect::allow;
    ProbeType type = ProbeType::tcp;
    std::string detail;
    TimePoint since;
  };
  struct Agent {
    std::string address;
    std::string version;
    Millis interval{10'000};
    TimePoint last_report;
    std::unordered_map<CheckId, Entry> results;
  };

  AgentState state_of(const Agent& agent, TimePoint now) const;
  CheckId id_of(const ProbeResult& result);

  int stale_after_;
  int forget_after_;
  std::map<AgentKey, Agent> agents_;
  // Every (probe, target, transport) seen, numbered, so aggregation adds into
  // a vector instead of comparing strings (targets() runs on every scrape and
  // every second for alerts, over every stored result).
  std::unordered_map<CheckKey, CheckId, CheckKeyHash> check_ids_;
  std::vector<CheckKey> checks_;
  std::size_t live_checks_at_compaction_ = 0;
  // Renumbers the checks still reported, dropping those no agent has any more
  // (targets that came and went), so the table stays proportional to the present.
  void compact_checks();
};

}  // namespace netprobe
