#pragma once
// The agent's config file (a ConfigMap in the cluster). Flags override it; see
// agent/main.cpp. Reference: README.md, "Agent configuration".
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adhoc.hpp"
#include "probe_config.hpp"
#include "probe_spec.hpp"

namespace netprobe {

inline constexpr std::string_view kAgentDefaultListen = ":9743";

struct AgentConfig {
  ProbeDefaults defaults;
  std::string listen{kAgentDefaultListen};
  std::vector<std::string> controllers;  // base URLs, e.g. http://netprobe-controller:9742
  std::vector<std::shared_ptr<const ProbeSpec>> probes;
  // What POST /api/v1/probe may reach. Absent: the rules the controller last
  // handed over in its reply, else AdhocConfig's defaults.
  std::optional<AdhocConfig> adhoc;
};

// Throws ConfigError with `source:line: field: message`.
AgentConfig parse_agent_config(std::string_view text, const std::string& source);

// What the agent runs: its own probes, then those its controllers assigned,
// but never an assigned probe named like one of its own (the node's own config wins).
AgentConfig with_assigned_probes(AgentConfig own, const std::vector<std::shared_ptr<const ProbeSpec>>& assigned);

}  // namespace netprobe
