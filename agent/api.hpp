#pragma once
// The agent's HTTP API as a pure function: a request becomes either a
// response, "render the metrics", or "run this probe now". agent.cpp does the I/O.
#include <string_view>
#include <variant>
#include <vector>

#include "core/adhoc.hpp"
#include "core/http_message.hpp"
#include "core/probe_config.hpp"
#include "core/result.hpp"

namespace netprobe {

// A one-shot body is one probe: 64 KiB is more than any probe needs.
inline constexpr std::size_t kMaxOneShotBodyBytes = 64 << 10;

struct RenderMetrics {};
struct RunProbe {
  ProbeSpec spec;
};
using AgentRoute = std::variant<HttpResponse, RenderMetrics, RunProbe>;

// `token` is the agent token (empty: writes disabled). POST /api/v1/probe takes
// {"probe": {…a probe as in the config file…}}, held to `rules` (the allowlist
// and max_timeout) whoever sends it: the controller, or anyone with the token.
AgentRoute route_agent_request(const HttpRequest& request, std::string_view token, const ProbeDefaults& defaults,
                               const AdhocConfig& rules);

// Before a body is read: a one-shot probe without the token is refused at
// once, so an unauthenticated client cannot make the agent buffer a body; only
// that route takes a body at all.
Admission admit_agent_request(const HttpRequest& head, std::string_view token);

// {"results": [...]} for a one-shot probe (one result per check it expands to).
HttpResponse probe_results_response(const std::vector<ProbeResult>& results);

}  // namespace netprobe
