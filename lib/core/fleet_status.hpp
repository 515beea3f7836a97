#pragma once
// What `netprobe status` makes of the controller's GET /api/v1/status answer:
// the controller's JSON read defensively (it crossed a network; every field
// may be missing or of the wrong type), and the one question a script asks of
// it, answered by the exit status: healthy, failing, or blind (the controller
// answers but no agent checks anything, or some agents went stale: nodes that
// are not being checked must not read as green).
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace netprobe {

struct FleetTarget {
  std::string probe, target, transport;
  std::size_t nodes = 0;
  std::vector<std::string> failing;  // "node (outcome)", natural order of node
  std::string policy;                // "denied (egress): …", or ""
};

struct FleetStatus {
  std::vector<FleetTarget> targets;
  std::size_t reporting = 0;
  std::vector<std::string> stale;                // nodes, natural order
  std::vector<std::string> nodes_without_agent;  // natural order; only with Kubernetes
};

// Every string is terminal-safe (core/terminal_text).
FleetStatus read_fleet_status(const nlohmann::json& answer);

enum class FleetState {
  healthy,  // agents reporting, nothing failing
  failing,  // some target fails on some node (whatever else is true)
  blind,    // nothing failing, but no agent reports, or some are stale, or nodes have no agent
};
FleetState fleet_state(const FleetStatus& status);

// "a, b, c and 142 more": the first `shown` of `names`, then how many are left.
std::string cut_list(const std::vector<std::string>& names, std::size_t shown);

}  // namespace netprobe
