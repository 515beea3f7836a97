#pragma once
// The controller's HTTP API as pure functions: routing a request to what must
// be done, and building the JSON answers. controller.cpp does the I/O.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "controller/policy_snapshot.hpp"
#include "core/controller_config.hpp"
#include "core/http_message.hpp"
#include "core/report.hpp"
#include "core/store.hpp"

namespace netprobe {

// Request body limits. A report may carry kMaxResultsPerReport results
// (10,000, about 4 MiB as agents write them), so the server reads bodies up to
// kMaxReportBodyBytes; every other request is held to kMaxRequestBodyBytes by the router.
inline constexpr std::size_t kMaxReportBodyBytes = 8 << 20;
inline constexpr std::size_t kMaxRequestBodyBytes = 1 << 20;

struct ControllerTokens {
  std::string agent;  // authenticates reports (and the controller's calls to agents)
  std::string api;    // authenticates people and tools running ad hoc probes
};

struct AcceptReport {
  AgentReport report;
};
struct RenderStatus {};
struct RenderControllerMetrics {};
struct RenderStatusPage {};
struct RenderFindings {};
struct RunAdhoc {
  ProbeSpec spec;
  std::vector<std::string> nodes;  // empty when `all`
  bool all = false;
};

using ControllerRoute =
    std::variant<HttpResponse, AcceptReport, RenderStatus, RenderControllerMetrics, RenderStatusPage, RenderFindings,
                 RunAdhoc>;

// Before a body is read: a write without its token gets 401, and a body over
// the limit for its path 413, without the server buffering it.
std::optional<HttpResponse> admit_controller_request(const HttpRequest& head, std::uint64_t content_length,
                                                     const ControllerTokens& tokens);

ControllerRoute route_controller_request(const HttpRequest& request, const ControllerTokens& tokens,
                                         const ControllerConfig& config, bool ready);

// {"accepted": N, "probes": [...]}: the reply to a report carries the probes assigned to the agent.
HttpResponse report_accepted_response(std::size_t accepted, const ControllerConfig& config);

// GET /api/v1/status: per target, nodes by outcome and failing nodes; agents with their last report.
HttpResponse status_response(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents);

// GET /api/v1/findings: {"enabled", "analysed_at", "error", "policies", "pods",
// "findings": [...as netprobe lint --json...]}.
HttpResponse findings_response(const PolicySnapshot& snapshot);

// One node's answer to an ad hoc probe: its results, or why the agent could not be asked.
struct AdhocAnswer {
  std::string node;
  std::vector<ProbeResult> results;
  std::string unreachable_reason;  // set when the agent did not answer
};

// {"results": [...], "summary": {"total", "success", "by_outcome"}}; nodes that did
// not answer appear with outcome "agent_unreachable".
HttpResponse adhoc_response(const ProbeSpec& spec, const std::vector<AdhocAnswer>& answers);

}  // namespace netprobe
