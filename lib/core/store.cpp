#include "store.hpp"

#include <algorithm>

namespace netprobe {

std::string_view to_string(AgentState state) { return state == AgentState::reporting ? "reporting" : "stale"; }

Store::Store(int stale_after, int forget_after) : stale_after_(stale_after), forget_after_(forget_after) {}

void Store::apply(const AgentReport& report, TimePoint now) {
  Agent& agent = agents_[{report.node, report.ns}];
  agent.address = report.address;
  agent.version = report.version;
  agent.interval = report.interval;
  agent.last_report = now;

  std::map<CheckKey, Entry> previous;
  if (report.full) previous.swap(agent.results);  // checks missing from a full report are gone
  for (const ProbeResult& result : report.results) {
    CheckKey key{result.probe, result.target, result.transport};
    auto& source = report.full ? previous : agent.results;
    const auto before = source.find(key);
    const bool unchanged = before != source.end() && before->second.result.outcome == result.outcome;
    const TimePoint since = unchanged ? before->second.since : result.time;
    agent.results[std::move(key)] = Entry{result, since};
  }
}

void Store::forget_silent_agents(TimePoint now) {
  std::erase_if(agents_, [&](const auto& item) {
    return now - item.second.last_report > item.second.interval * forget_after_;
  });
}

AgentState Store::state_of(const Agent& agent, TimePoint now) const {
  return now - agent.last_report > agent.interval * stale_after_ ? AgentState::stale : AgentState::reporting;
}

std::vector<AgentView> Store::agents(TimePoint now) const {
  std::vector<AgentView> views;
  views.reserve(agents_.size());
  for (const auto& [key, agent] : agents_) {
    views.push_back(AgentView{key.first, key.second, agent.address, agent.version, agent.interval,
                              agent.last_report, state_of(agent, now), agent.results.size()});
  }
  return views;
}

std::vector<TargetView> Store::targets(TimePoint now) const {
  std::map<CheckKey, TargetView> targets;
  for (const auto& [agent_key, agent] : agents_) {
    if (state_of(agent, now) == AgentState::stale) continue;
    for (const auto& [check_key, entry] : agent.results) {
      const ProbeResult& result = entry.result;
      TargetView& view = targets[check_key];
      if (view.nodes == 0) {
        view.probe = result.probe;
        view.type = result.type;
        view.target = result.target;
        view.transport = result.transport;
        view.expect = result.expect;
      }
      ++view.nodes;
      ++view.nodes_by_outcome[result.outcome];
      if (!result.success) {
        view.failing.push_back(FailingNode{agent_key.first, agent_key.second, result.outcome, entry.since, result.detail});
        if (view.failing_since == TimePoint{} || entry.since < view.failing_since) view.failing_since = entry.since;
      }
    }
  }
  std::vector<TargetView> views;
  views.reserve(targets.size());
  for (auto& [key, view] : targets) views.push_back(std::move(view));
  return views;
}

std::size_t Store::result_count() const {
  std::size_t count = 0;
  for (const auto& [key, agent] : agents_) count += agent.results.size();
  return count;
}

std::string Store::agent_address(const std::string& node) const {
  for (const auto& [key, agent] : agents_) {
    if (key.first == node) return agent.address;
  }
  return "";
}

}  // namespace netprobe
