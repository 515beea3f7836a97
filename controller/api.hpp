#pragma once
// The controller's HTTP API as pure functions: routing a request to what must
// be done, and building the JSON answers. controller.cpp does the I/O.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "controller/policy_snapshot.hpp"
#include "controller/status_query.hpp"
#include "core/controller_config.hpp"
#include "core/http_message.hpp"
#include "core/report.hpp"
#include "core/store.hpp"
#include "kube/discovery.hpp"

namespace netprobe {

// An ad hoc request is one probe and a list of nodes: 64 KiB is room for 5,000 names.
inline constexpr std::size_t kMaxAdhocBodyBytes = 64 << 10;

struct ControllerTokens {
  std::string agent;  // authenticates reports (and the controller's calls to agents)
  std::string api;    // authenticates people and tools running ad hoc probes
};

struct AcceptReport {
  AgentReport report;
  // The advertised address was dropped: not an IP literal inside adhoc.allow_cidrs
  // (the controller would POST the agent token there). Why, for the log; empty when kept.
  std::string address_refused;
  std::string advertised;  // the address as reported, refused or not: it names the agent's pod (attribution)
};
struct RenderStatus {
  std::string node;  // ?node=: the targets as that node sees them (controller/status_view); "" for all
};
struct RenderControllerMetrics {};
struct RenderStatusPage {
  StatusPageQuery query;
};
struct RenderFindings {
  std::string ns;  // ?namespace=: that namespace's findings only; "" for all
};
struct RenderDiscovery {};
struct RunAdhoc {
  ProbeSpec spec;
  std::vector<std::string> nodes;  // empty when `all`
  bool all = false;
};

using ControllerRoute =
    std::variant<HttpResponse, AcceptReport, RenderStatus, RenderControllerMetrics, RenderStatusPage, RenderFindings,
                 RenderDiscovery, RunAdhoc>;

// Before a body is read: a write without its token gets 401; reports may
// have bodies up to kMaxReportBodyBytes, ad hoc requests kMaxAdhocBodyBytes,
// and nothing else takes a body.
Admission admit_controller_request(const HttpRequest& head, const ControllerTokens& tokens);

ControllerRoute route_controller_request(const HttpRequest& request, const ControllerTokens& tokens,
                                         const ControllerConfig& config, bool ready);

// The reply to a report: {"accepted": N, "refused": M, "probes": [...], "adhoc": {...}}: the
// probes assigned to the agent (the config's, then the discovered ones for it), and the ad
// hoc rules its one-shot endpoint enforces unless its own config has an adhoc section.
HttpResponse report_accepted_response(const ApplyResult& applied, const ControllerConfig& config,
                                      const std::vector<std::shared_ptr<const ProbeSpec>>& discovered = {});

// GET /api/v1/status: per target, nodes by outcome and failing nodes; agents with their last
// report; with Kubernetes, `nodes_without_agent`.
HttpResponse status_response(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                             const std::vector<std::string>* nodes_without_agent = nullptr);

// GET /api/v1/discovery: {"enabled", "synced", "probes": [{"probe": {...}, "source", ["reason",]
// "agents": "all" | [...]}], "derived_from", "nodes_without_agent": [...]}. `probes` is null before the
// first sync; `derived_from` names the agent pod the derived-deny probes come from (null: none).
HttpResponse discovery_response(bool enabled, bool synced, const std::vector<kube::DiscoveredProbe>* probes,
                                const kube::Assignment& assignment, const std::string& derived_from,
                                const std::vector<std::string>& nodes_without_agent);

// GET /api/v1/findings: {"enabled", "analysed_at", "error", "policies", "pods",
// "findings": [...as netprobe lint --json...]}, of namespace `ns` only unless it is "".
HttpResponse findings_response(const PolicySnapshot& snapshot, const std::string& ns = "");

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
