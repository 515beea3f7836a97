#include "alerts.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

namespace netprobe {
namespace {

// The outcome most failing nodes share: the alert's `outcome` label.
Outcome dominant_outcome(const TargetView& target) {
  std::map<Outcome, int> counts;
  for (const FailingNode& node : target.failing) ++counts[node.outcome];
  return std::max_element(counts.begin(), counts.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

std::string failing_node_names(const TargetView& target) {
  constexpr std::size_t kShown = 10;
  std::string names;
  for (std::size_t i = 0; i < target.failing.size() && i < kShown; ++i) {
    names += (i == 0 ? "" : ", ") + target.failing[i].node + " (" + std::string(to_string(target.failing[i].outcome)) + ")";
  }
  if (target.failing.size() > kShown) names += " and " + std::to_string(target.failing.size() - kShown) + " more";
  return names;
}

}  // namespace

nlohmann::json to_alertmanager_json(const std::vector<AlertNotification>& alerts) {
  nlohmann::json list = nlohmann::json::array();
  for (const AlertNotification& alert : alerts) {
    list.push_back({{"labels", alert.labels},
                    {"annotations", alert.annotations},
                    {"startsAt", format_time(alert.starts_at)},
                    {"endsAt", format_time(alert.ends_at)}});
  }
  return list;
}

std::vector<AlertNotification> cap_push(std::vector<AlertNotification> batch, std::size_t max, TimePoint now,
                                        Millis lease) {
  if (batch.size() <= max || max == 0) return batch;
  std::stable_partition(batch.begin(), batch.end(), [](const AlertNotification& alert) { return alert.resolved; });
  std::vector<AlertNotification> out(std::make_move_iterator(batch.begin()),
                                     std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(max - 1)));
  std::size_t held_back = 0;
  std::set<std::string> probes;
  for (auto it = batch.begin() + static_cast<std::ptrdiff_t>(max - 1); it != batch.end(); ++it) {
    if (it->resolved) continue;  // Alertmanager's lease ends it: resolutions only hasten that
    ++held_back;
    probes.insert(it->labels["probe"]);
  }
  if (held_back == 0) return out;
  std::string names;
  std::size_t shown = 0;
  for (const std::string& probe : probes) {
    if (shown++ == 10) {
      names += " and " + std::to_string(probes.size() - 10) + " more";
      break;
    }
    names += (names.empty() ? "" : ", ") + probe;
  }
  AlertNotification group;
  group.labels = {{"alertname", "NetprobeManyTargetsFailing"}, {"severity", "critical"}};
  group.annotations = {
      {"summary", std::to_string(held_back) + " more failing targets, not pushed one by one (alertmanager.max_alerts_per_push is " +
                      std::to_string(max) + ")"},
      {"description", "Probes: " + names + ". See the controller's /api/v1/status for every target."}};
  group.starts_at = now;
  group.ends_at = now + lease;
  out.push_back(std::move(group));
  return out;
}

AlertEngine::AlertEngine(AlertmanagerConfig config) : config_(std::move(config)) {}

AlertNotification AlertEngine::describe(const TargetView& target, TimePoint starts_at) const {
  const Outcome outcome = dominant_outcome(target);
  AlertNotification alert;
  alert.labels = {{"alertname", "NetprobeTargetFailing"},
                  {"probe", target.probe},
                  {"target", target.target},
                  {"transport", target.transport},
                  {"outcome", std::string(to_string(outcome))},
                  {"severity", target.expect == Expect::deny ? "warning" : "critical"}};
  const std::string what = target.expect == Expect::deny ? "is reachable although it should be denied"
                                                         : "fails";
  alert.annotations = {
      {"summary", target.probe + " (" + target.target + " over " + target.transport + ") " + what + " from " +
                      std::to_string(target.failing.size()) + " of " + std::to_string(target.nodes) + " nodes: " +
                      std::string(to_string(outcome))},
      {"description", "Failing nodes: " + failing_node_names(target) + ". Likely cause: " +
                          std::string(likely_cause(outcome)) + "."},
  };
  // What the live policies say of the failing paths (controller/path_explainer):
  // which policy denies it, or that none does and the fault is elsewhere.
  if (target.policy) {
    const PolicyAttribution& policy = target.policy->summary;
    alert.annotations["policy_verdict"] = std::string(to_string(policy.verdict));
    alert.annotations["policy"] = policy.reason;
    if (!policy.policies.empty()) {
      std::string names;
      for (const std::string& name : policy.policies) names += (names.empty() ? "" : ", ") + name;
      alert.annotations["policies"] = names;
    }
  }
  alert.starts_at = starts_at;
  return alert;
}

std::vector<AlertNotification> AlertEngine::evaluate(const std::vector<TargetView>& targets, TimePoint now) {
  std::vector<AlertNotification> out;
  const auto lease = this->lease();
  std::map<CheckKey, const TargetView*> failing;
  for (const TargetView& target : targets) {
    if (static_cast<int>(target.failing.size()) >= config_.min_failing_nodes) {
      failing[key_of(target)] = &target;
    }
  }

  for (auto it = states_.begin(); it != states_.end();) {
    if (failing.contains(it->first)) {
      ++it;
      continue;
    }
    if (it->second.firing) {  // recovered: tell Alertmanager now rather than letting the lease run out
      AlertNotification resolved = it->second.last;
      resolved.ends_at = now;
      resolved.resolved = true;
      out.push_back(std::move(resolved));
    }
    it = states_.erase(it);
  }

  for (const auto& [key, target] : failing) {
    auto [it, inserted] = states_.try_emplace(key);
    State& state = it->second;
    if (inserted) state.pending_since = now;
    if (!state.firing) {
      if (now - state.pending_since < config_.for_duration) continue;
      state.firing = true;
      state.last = describe(*target, state.pending_since);
    } else {
      AlertNotification current = describe(*target, state.last.starts_at);
      if (current.labels != state.last.labels) {
        // The failure changed its nature (timeout -> refused): resolve the old
        // alert and fire the new one at once; the target has failed long enough.
        AlertNotification resolved = state.last;
        resolved.ends_at = now;
        resolved.resolved = true;
        out.push_back(std::move(resolved));
        current.starts_at = now;
        state.last = current;
      } else {
        const bool due = now - state.last_sent >= config_.resend_interval;
        const bool news = current.annotations != state.last.annotations;
        state.last = current;
        if (!due && !news) continue;
      }
    }
    state.last.ends_at = now + lease;
    state.last_sent = now;
    out.push_back(state.last);
  }
  return out;
}

std::size_t AlertEngine::firing() const {
  return static_cast<std::size_t>(
      std::count_if(states_.begin(), states_.end(), [](const auto& item) { return item.second.firing; }));
}

}  // namespace netprobe
