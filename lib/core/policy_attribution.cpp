#include "policy_attribution.hpp"

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

}  // namespace netprobe
