#include "policy_attribution.hpp"

#include <nlohmann/json.hpp>

namespace netprobe {

std::optional<TargetPolicy> summarise(const std::vector<const PolicyAttribution*>& failing) {
  TargetPolicy policy;
  std::map<PolicyVerdict, const PolicyAttribution*> first;
  for (const PolicyAttribution* attribution : failing) {
    if (attribution == nullptr) continue;
    ++policy.nodes_by_verdict[attribution->verdict];
    first.try_emplace(attribution->verdict, attribution);
  }
  if (first.empty()) return std::nullopt;
  std::optional<PolicyVerdict> best;
  for (const PolicyVerdict verdict : {PolicyVerdict::denied, PolicyVerdict::unknown, PolicyVerdict::allowed}) {
    const auto count = policy.nodes_by_verdict.find(verdict);
    if (count == policy.nodes_by_verdict.end()) continue;
    if (!best || count->second > policy.nodes_by_verdict[*best]) best = verdict;
  }
  policy.summary = *first.at(*best);
  return policy;
}

nlohmann::ordered_json to_json(const PolicyAttribution& attribution) {
  return nlohmann::ordered_json{
      {"verdict", to_string(attribution.verdict)},
      {"direction", attribution.direction ? nlohmann::ordered_json(to_string(*attribution.direction)) : nullptr},
      {"policies", attribution.policies},
      {"reason", attribution.reason}};
}

nlohmann::ordered_json to_json(const TargetPolicy& policy) {
  nlohmann::ordered_json out = to_json(policy.summary);
  nlohmann::ordered_json& counts = out["nodes_by_verdict"] = nlohmann::ordered_json::object();
  for (const auto& [verdict, nodes] : policy.nodes_by_verdict) counts[std::string(to_string(verdict))] = nodes;
  return out;
}

}  // namespace netprobe
