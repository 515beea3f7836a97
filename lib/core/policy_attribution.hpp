#pragma once
// What the live NetworkPolicies say of a failing path: a policy denies it, the
// policies admit it (so the failure is not a NetworkPolicy), or the model cannot
// tell. Decided by netpol/attribution.hpp; carried on the store's views to
// /api/v1/status, /metrics (netprobe_target_policy_verdict), the pushed alerts,
// the status page and `netprobe status`.
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "enum_table.hpp"

namespace netprobe {

enum class PolicyVerdict { denied, allowed, unknown };
inline constexpr EnumTable kPolicyVerdicts{std::array{
    EnumEntry<PolicyVerdict>{PolicyVerdict::denied, "denied", "a NetworkPolicy in the live model denies this path"},
    EnumEntry<PolicyVerdict>{PolicyVerdict::allowed, "allowed",
                             "the policies admit this path: the failure is not a NetworkPolicy (CNI, node, DNS, app)"},
    EnumEntry<PolicyVerdict>{PolicyVerdict::unknown, "unknown", "the path cannot be resolved in the live model"},
}};
inline std::string_view to_string(PolicyVerdict verdict) { return kPolicyVerdicts.name(verdict); }

// The side (or sides) whose policies deny a path.
enum class PolicyDirection { egress, ingress, both };
inline constexpr EnumTable kPolicyDirections{std::array{
    EnumEntry<PolicyDirection>{PolicyDirection::egress, "egress", "the source's egress policies"},
    EnumEntry<PolicyDirection>{PolicyDirection::ingress, "ingress", "the destination's ingress policies"},
    EnumEntry<PolicyDirection>{PolicyDirection::both, "both", "egress of the source and ingress of the destination"},
}};
inline std::string_view to_string(PolicyDirection direction) { return kPolicyDirections.name(direction); }

struct PolicyAttribution {
  PolicyVerdict verdict = PolicyVerdict::unknown;
  std::optional<PolicyDirection> direction;  // denied only
  // "ns/name": for denied, the policies isolating the denied side(s); for
  // allowed, those whose rules admit the path (none when neither side is isolated).
  std::vector<std::string> policies;
  std::string reason;  // one sentence for people

  bool operator==(const PolicyAttribution&) const = default;
};

// One target's verdict over its failing nodes: the verdict most of them have
// (on a tie, denied before unknown before allowed: a named policy is the most
// useful lead), with the explanation of the first node that has it.
struct TargetPolicy {
  PolicyAttribution summary;
  std::map<PolicyVerdict, std::size_t> nodes_by_verdict;

  bool operator==(const TargetPolicy&) const = default;
};

// nullopt when no entry has an attribution.
std::optional<TargetPolicy> summarise(const std::vector<const PolicyAttribution*>& failing);

// As /api/v1/status writes them (docs/api.md):
//   {"verdict": "denied", "direction": "egress", "policies": ["shop/lockdown"], "reason": "…"}
// direction is null unless denied; a target's adds "nodes_by_verdict": {"denied": 3, …}.
nlohmann::ordered_json to_json(const PolicyAttribution& attribution);
nlohmann::ordered_json to_json(const TargetPolicy& policy);

}  // namespace netprobe
