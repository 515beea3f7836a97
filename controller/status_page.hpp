#pragma once
// GET /: a page for people, rendered from the same picture as /api/v1/status.
#include <string>
#include <vector>

#include "controller/policy_snapshot.hpp"
#include "core/store.hpp"

namespace netprobe {

// Targets, agents and, when the policy analysis is on, its findings.
std::string render_status_page(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                               const PolicySnapshot& policies, TimePoint now);

// Text safe inside HTML element content and attribute values.
std::string html_escape(std::string_view text);

}  // namespace netprobe
