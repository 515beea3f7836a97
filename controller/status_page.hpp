#pragma once
// GET /: a page for people, rendered from the same picture as /api/v1/status.
#include <string>
#include <vector>

#include "core/store.hpp"

namespace netprobe {

std::string render_status_page(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                               TimePoint now);

// Text safe inside HTML element content and attribute values.
std::string html_escape(std::string_view text);

}  // namespace netprobe
