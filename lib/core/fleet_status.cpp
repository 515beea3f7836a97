#include "core/fleet_status.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/natural_order.hpp"
#include "core/terminal_text.hpp"

namespace netprobe {
namespace {

using json = nlohmann::json;

std::string string_at(const json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? terminal_safe(found->get<std::string>()) : std::string();
}

std::size_t count_at(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  const auto found = object.find(key);
  return found != object.end() && found->is_number_unsigned() ? found->get<std::size_t>() : 0;
}

const json& array_at(const json& object, const char* key) {
  static const json kEmpty = json::array();
  if (!object.is_object()) return kEmpty;
  const auto found = object.find(key);
  return found != object.end() && found->is_array() ? *found : kEmpty;
}

void sort_naturally(std::vector<std::string>& names) {
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) { return natural_less(a, b); });
}

std::string policy_line(const json& target) {
  if (!target.is_object() || !target.contains("policy")) return "";
  const json& policy = target["policy"];
  const std::string verdict = string_at(policy, "verdict");
  if (verdict.empty()) return "";
  const std::string direction = string_at(policy, "direction");
  return verdict + (direction.empty() ? "" : " (" + direction + ")") + ": " + string_at(policy, "reason");
}

}  // namespace

FleetStatus read_fleet_status(const json& answer) {
  FleetStatus status;
  for (const json& target : array_at(answer, "targets")) {
    FleetTarget& out = status.targets.emplace_back();
    out.probe = string_at(target, "probe");
    out.target = string_at(target, "target");
    out.transport = string_at(target, "transport");
    out.nodes = count_at(target, "nodes");
    std::vector<std::pair<std::string, std::string>> failing;
    for (const json& node : array_at(target, "failing")) failing.emplace_back(string_at(node, "node"), string_at(node, "outcome"));
    std::sort(failing.begin(), failing.end(), [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
    for (const auto& [node, outcome] : failing) out.failing.push_back((node.empty() ? "?" : node) + " (" + (outcome.empty() ? "?" : outcome) + ")");
    out.policy = policy_line(target);
  }
  for (const json& agent : array_at(answer, "agents")) {
    if (string_at(agent, "state") == "reporting") {
      ++status.reporting;
    } else {
      status.stale.push_back(string_at(agent, "node"));
    }
  }
  sort_naturally(status.stale);
  for (const json& node : array_at(answer, "nodes_without_agent")) {
    if (node.is_string()) status.nodes_without_agent.push_back(terminal_safe(node.get<std::string>()));
  }
  sort_naturally(status.nodes_without_agent);
  return status;
}

FleetState fleet_state(const FleetStatus& status) {
  for (const FleetTarget& target : status.targets) {
    if (!target.failing.empty()) return FleetState::failing;
  }
  if (status.reporting == 0 || !status.stale.empty() || !status.nodes_without_agent.empty()) return FleetState::blind;
  return FleetState::healthy;
}

std::string cut_list(const std::vector<std::string>& names, std::size_t shown) {
  std::string out;
  const std::size_t named = std::min(names.size(), shown);
  for (std::size_t i = 0; i < named; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > named) out += " and " + std::to_string(names.size() - named) + " more";
  return out;
}

}  // namespace netprobe
