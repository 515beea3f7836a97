#pragma once
// GET /: the page for people, rendered on the server from the same picture as
// /api/v1/status (what it says is decided in controller/status_view). The
// overview (targets failing first, a node x check matrix, findings, agents
// that are stale or missing), a page per node (?node=) and per target
// (?probe=&target=&transport=). Plain HTML that works without script; the
// script and the style sheet are served by the controller itself
// (controller/static), so the page needs no CDN and runs under a strict
// Content-Security-Policy (kStatusPageHeaders).
#include <string>
#include <utility>
#include <vector>

#include "controller/policy_snapshot.hpp"
#include "controller/status_query.hpp"
#include "core/store.hpp"

namespace netprobe {

struct StatusPageInput {
  const std::vector<TargetView>& targets;  // annotated with attributions where there are any
  const OutcomeMatrix& matrix;
  const std::vector<AgentView>& agents;
  const PolicySnapshot& policies;
  const std::vector<std::string>* nodes_without_agent;  // null without Kubernetes
  TimePoint now;
};

struct RenderedPage {
  int status = 200;  // 404 for a node or target nobody reports
  std::string body;
};

RenderedPage render_status_page(const StatusPageInput& input, const StatusPageQuery& query);

// Nothing but the controller's own script and style; no frames, no plugins, no
// form posting elsewhere.
inline const std::vector<std::pair<std::string, std::string>> kStatusPageHeaders{
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
     "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
};

}  // namespace netprobe
