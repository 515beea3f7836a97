#pragma once
// The agent's HTTP API as a pure function: a request becomes either a
// response, "render the metrics", or "run this probe now". agent.cpp does the I/O.
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "core/http_message.hpp"
#include "core/probe_config.hpp"
#include "core/result.hpp"

namespace netprobe {

struct RenderMetrics {};
struct RunProbe {
  ProbeSpec spec;
};
using AgentRoute = std::variant<HttpResponse, RenderMetrics, RunProbe>;

// `token` is the agent token (empty: writes disabled). POST /api/v1/probe takes
// {"probe": {…a probe as in the config file…}}.
AgentRoute route_agent_request(const HttpRequest& request, std::string_view token, const ProbeDefaults& defaults);

// Before a body is read: a one-shot probe without the token is refused at
// once, so an unauthenticated client cannot make the agent buffer a body.
std::optional<HttpResponse> admit_agent_request(const HttpRequest& head, std::string_view token);

// {"results": [...]} for a one-shot probe (one result per check it expands to).
HttpResponse probe_results_response(const std::vector<ProbeResult>& results);

}  // namespace netprobe
