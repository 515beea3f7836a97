#include "api.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "controller/static_assets.hpp"
#include "netpol/finding_json.hpp"
#include "core/controller_reply.hpp"
#include "core/json_input.hpp"
#include "core/json_text.hpp"
#include "core/probe_json.hpp"
#include "core/url.hpp"

namespace netprobe {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

HttpResponse text_response(std::string body) {
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

bool is_read(const HttpRequest& request) { return request.method == "GET" || request.method == "HEAD"; }

ControllerRoute parse_adhoc(const HttpRequest& request, const ControllerConfig& config) {
  auto read_body = read_adhoc_body(request.body, {"probe", "nodes", "all"});
  if (auto* refusal = std::get_if<HttpResponse>(&read_body)) return std::move(*refusal);
  json& body = std::get<json>(read_body);

  RunAdhoc run;
  if (body.contains("all")) {
    if (!body["all"].is_boolean()) return error_response(400, "invalid_field", "all: expected true or false");
    run.all = body["all"].get<bool>();
  }
  if (body.contains("nodes")) {
    const json& nodes = body["nodes"];
    if (!nodes.is_array()) return error_response(400, "invalid_field", "nodes: expected a list of node names");
    if (nodes.size() > kMaxAdhocNodes) {
      return error_response(400, "invalid_field", "nodes: more than " + std::to_string(kMaxAdhocNodes) +
                                                      " nodes (use \"all\": true)");
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].is_string() || nodes[i].get_ref<const std::string&>().empty() ||
          nodes[i].get_ref<const std::string&>().size() > 253) {
        return error_response(400, "invalid_field", "nodes[" + std::to_string(i) + "]: expected a node name");
      }
      run.nodes.push_back(nodes[i].get<std::string>());
    }
  }
  if (run.all == !run.nodes.empty()) {
    return error_response(400, "invalid_field", "nodes: give either a list of nodes or \"all\": true");
  }
  auto read = read_adhoc_probe(body["probe"], config.adhoc, config.defaults.timeout);
  if (auto* refusal = std::get_if<HttpResponse>(&read)) return std::move(*refusal);
  run.spec = std::move(std::get<ProbeSpec>(read));
  return run;
}

// Why an advertised address cannot be used, or "" when it can: the controller
// sends the agent token there, so it must be an IP literal (no name to
// resolve somewhere else later) inside the ad hoc allowlist.
std::string address_refusal(const std::string& address, const AdhocConfig& adhoc) {
  if (address.empty()) return "";
  const auto endpoint = parse_endpoint(address);
  if (!endpoint || endpoint->port == 0) return "address \"" + address + "\" is not host:port";
  const auto ip = parse_ip(endpoint->host);
  if (!ip) return "address \"" + address + "\" is not an IP literal";
  if (!adhoc.allowlist.allows_address(*ip)) return "address \"" + address + "\" is outside adhoc.allow_cidrs";
  return "";
}

// A Kubernetes namespace name (an RFC 1123 label): lowercase letters, digits
// and '-', neither first nor last, at most 63.
bool is_namespace_name(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// GET /api/v1/findings[?namespace=NAME]: one namespace's findings, since a big
// cluster's whole list runs to tens of megabytes.
ControllerRoute status_route(const HttpRequest& request) {
  const auto query = request.query();
  if (!query) return error_response(400, "invalid_query", "the query is not valid percent-encoding");
  auto parsed = parse_status_api_query(*query);
  if (auto* error = std::get_if<QueryError>(&parsed)) return error_response(400, "invalid_query", error->message);
  return RenderStatus{std::move(std::get<std::string>(parsed))};
}

// A page for people: its errors are a page too, saying what was wrong with the address.
ControllerRoute status_page_route(const HttpRequest& request) {
  const auto query = request.query();
  std::variant<StatusPageQuery, QueryError> parsed = QueryError{"the query is not valid percent-encoding"};
  if (query) parsed = parse_status_page_query(*query);
  if (auto* error = std::get_if<QueryError>(&parsed)) {
    HttpResponse response;
    response.status = 400;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "Bad address: " + error->message + "\n";
    return response;
  }
  return RenderStatusPage{std::move(std::get<StatusPageQuery>(parsed))};
}

HttpResponse static_asset_response(const StaticAsset& asset) {
  HttpResponse response;
  response.content_type = std::string(asset.content_type);
  response.body = std::string(asset.body);
  // Compiled in: they change only with the controller, and a reload after an upgrade is cheap.
  response.headers = {{"Cache-Control", "max-age=300"}, {"X-Content-Type-Options", "nosniff"}};
  return response;
}

ControllerRoute findings_route(const HttpRequest& request) {
  const auto query = request.query();
  if (!query) return error_response(400, "invalid_query", "the query is not valid percent-encoding");
  RenderFindings render;
  for (const auto& [key, value] : *query) {
    if (key != "namespace") {
      return error_response(400, "invalid_query", "unknown query parameter \"" + key + "\" (known: namespace)");
    }
    if (!is_namespace_name(value)) {
      return error_response(400, "invalid_field",
                            "namespace: expected a namespace name (lowercase letters, digits and '-', at most 63)");
    }
    render.ns = value;
  }
  return render;
}

ordered_json result_or_unreachable(const ProbeSpec& spec, const std::string& node, const std::string& reason) {
  return ordered_json{{"probe", spec.name},       {"type", to_string(spec.type())}, {"expect", to_string(spec.expect)},
                      {"node", node},            {"outcome", "agent_unreachable"}, {"success", false},
                      {"detail", reason}};
}

}  // namespace

Admission admit_controller_request(const HttpRequest& head, const ControllerTokens& tokens) {
  const std::string_view path = head.path();
  if (head.method != "POST") return {};
  if (path == "/api/v1/reports") {
    if (!bearer_matches(head.authorization, tokens.agent)) return {unauthorized_response(), 0};
    return {std::nullopt, kMaxReportBodyBytes};
  }
  if (path == "/api/v1/probes") {
    if (!bearer_matches(head.authorization, tokens.api)) return {unauthorized_response(), 0};
    return {std::nullopt, kMaxAdhocBodyBytes, true};
  }
  return {};
}

ControllerRoute route_controller_request(const HttpRequest& request, const ControllerTokens& tokens,
                                         const ControllerConfig& config, bool ready) {
  const std::string_view path = request.path();
  if (path == "/api/v1/reports") {
    if (request.method != "POST") return method_not_allowed_response("POST");
    if (!bearer_matches(request.authorization, tokens.agent)) return unauthorized_response();
    try {
      AcceptReport accept{parse_report(request.body), "", ""};
      accept.address_refused = address_refusal(accept.report.address, config.adhoc);
      accept.advertised = accept.report.address;
      if (!accept.address_refused.empty()) accept.report.address.clear();
      return accept;
    } catch (const FieldError& error) {
      return error_response(400, error.field() == "body" ? "malformed_json" : "invalid_field", error.what());
    }
  }
  if (path == "/api/v1/probes") {
    if (request.method != "POST") return method_not_allowed_response("POST");
    // An agent token cannot run ad hoc probes: only the API token can.
    if (!bearer_matches(request.authorization, tokens.api)) return unauthorized_response();
    return parse_adhoc(request, config);
  }
  if (!is_read(request)) {
    if (path == "/api/v1/status" || path == "/api/v1/findings" || path == "/api/v1/discovery" || path == "/metrics" || path == "/healthz" || path == "/readyz" || path == "/" ||
        find_static_asset(path)) {
      return method_not_allowed_response("GET");
    }
    return error_response(404, "not_found", "no such path: " + std::string(path));
  }
  if (path == "/api/v1/status") return status_route(request);
  if (path == "/api/v1/findings") return findings_route(request);
  if (path == "/api/v1/discovery") return RenderDiscovery{};
  if (path == "/metrics") return RenderControllerMetrics{};
  if (path == "/healthz") return text_response("ok\n");
  if (path == "/readyz") {
    if (ready) return text_response("ready\n");
    HttpResponse response = text_response("not ready\n");
    response.status = 503;
    return response;
  }
  if (path == "/") return status_page_route(request);
  if (const StaticAsset* asset = find_static_asset(path)) return static_asset_response(*asset);
  return error_response(404, "not_found", "no such path: " + std::string(path));
}

HttpResponse report_accepted_response(const ApplyResult& applied, const ControllerConfig& config,
                                      const std::vector<std::shared_ptr<const ProbeSpec>>& discovered) {
  ordered_json probes = ordered_json::array();
  for (const auto& probe : config.probes) probes.push_back(to_json(*probe));
  // Within what an agent reads (kMaxAssignedProbes); a configured probe wins over a discovered one.
  for (const auto& probe : discovered) {
    if (probes.size() >= kMaxAssignedProbes) break;
    probes.push_back(to_json(*probe));
  }
  ordered_json body{{"accepted", applied.accepted}};
  if (const std::size_t refused = applied.over_agent_cap + applied.over_check_cap; refused > 0) {
    body["refused"] = refused;
  }
  body["probes"] = std::move(probes);
  body["adhoc"] = adhoc_to_json(config.adhoc);
  HttpResponse response;
  response.body = json_text(body) + "\n";
  return response;
}

HttpResponse status_response(const std::vector<TargetView>& targets, const std::vector<AgentView>& agents,
                             const std::vector<std::string>* nodes_without_agent) {
  ordered_json target_list = ordered_json::array();
  for (const TargetView& target : targets) {
    ordered_json by_outcome = ordered_json::object();
    for (const auto& [outcome, count] : target.nodes_by_outcome) by_outcome[std::string(to_string(outcome))] = count;
    ordered_json failing = ordered_json::array();
    for (const FailingNode& node : target.failing) {
      ordered_json entry{{"node", node.node},
                         {"namespace", node.ns},
                         {"outcome", to_string(node.outcome)},
                         {"since", format_time(node.since)},
                         {"detail", node.detail}};
      if (node.policy) entry["policy"] = to_json(*node.policy);
      failing.push_back(std::move(entry));
    }
    ordered_json entry{{"probe", target.probe},
                       {"type", to_string(target.type)},
                       {"target", target.target},
                       {"transport", target.transport},
                       {"expect", to_string(target.expect)},
                       {"nodes", target.nodes},
                       {"failing_nodes", target.failing.size()},
                       {"nodes_by_outcome", std::move(by_outcome)},
                       {"failing", std::move(failing)}};
    if (!target.failing.empty()) entry["failing_since"] = format_time(target.failing_since);
    if (target.policy) entry["policy"] = to_json(*target.policy);
    target_list.push_back(std::move(entry));
  }
  ordered_json agent_list = ordered_json::array();
  for (const AgentView& agent : agents) {
    agent_list.push_back({{"node", agent.node},
                          {"namespace", agent.ns},
                          {"address", agent.address},
                          {"identity_conflict", agent.identity_conflict},
                          {"version", agent.version},
                          {"state", to_string(agent.state)},
                          {"last_report", format_time(agent.last_report)},
                          {"results", agent.results}});
  }
  HttpResponse response;
  ordered_json body{{"targets", std::move(target_list)}, {"agents", std::move(agent_list)}};
  if (nodes_without_agent != nullptr) body["nodes_without_agent"] = *nodes_without_agent;
  response.body = json_text(body) + "\n";
  return response;
}

HttpResponse discovery_response(bool enabled, bool synced, const std::vector<kube::DiscoveredProbe>* probes,
                                const kube::Assignment& assignment, const std::string& derived_from,
                                const std::vector<std::string>& nodes_without_agent) {
  ordered_json list = probes == nullptr ? ordered_json(nullptr) : ordered_json::array();
  if (probes != nullptr) {
    for (std::size_t i = 0; i < probes->size(); ++i) {
      const kube::DiscoveredProbe& probe = (*probes)[i];
      ordered_json agents = ordered_json("all");
      if (!probe.every_agent) {
        agents = i < assignment.agents_of.size() ? ordered_json(assignment.agents_of[i]) : ordered_json::array();
      }
      ordered_json entry{{"probe", to_json(*probe.spec)}, {"source", probe.source}};
      if (!probe.reason.empty()) entry["reason"] = probe.reason;
      entry["agents"] = std::move(agents);
      list.push_back(std::move(entry));
    }
  }
  HttpResponse response;
  response.body = json_text(ordered_json{{"enabled", enabled},
                                         {"synced", synced},
                                         {"probes", std::move(list)},
                                         {"derived_from", derived_from.empty() ? ordered_json(nullptr) : ordered_json(derived_from)},
                                         {"nodes_without_agent", nodes_without_agent}}) +
                  "\n";
  return response;
}

HttpResponse findings_response(const PolicySnapshot& snapshot, const std::string& ns) {
  const auto time_or_null = [](const std::optional<TimePoint>& time) {
    return time ? ordered_json(format_time(*time)) : ordered_json(nullptr);
  };
  ordered_json body{{"enabled", snapshot.enabled},
                    {"source", snapshot.source.empty() ? ordered_json(nullptr) : ordered_json(snapshot.source)},
                    {"analysed_at", time_or_null(snapshot.analysed_at)},
                    {"attempted_at", time_or_null(snapshot.attempted_at)},
                    {"error", snapshot.error.empty() ? ordered_json(nullptr) : ordered_json(snapshot.error)},
                    {"policies", snapshot.policies},
                    {"pods", snapshot.pods},
                    {"findings", ordered_json::array()}};
  ordered_json& list = body["findings"];
  for (const netpol::Finding& finding : snapshot.findings) {
    if (ns.empty() || finding.ns == ns) list.push_back(netpol::to_json(finding));
  }
  HttpResponse response;
  response.body = json_text(body) + "\n";
  return response;
}

HttpResponse adhoc_response(const ProbeSpec& spec, const std::vector<AdhocAnswer>& answers) {
  ordered_json results = ordered_json::array();
  std::size_t total = 0;
  std::size_t success = 0;
  std::map<std::string, std::size_t> by_outcome;
  for (const AdhocAnswer& answer : answers) {
    if (!answer.unreachable_reason.empty()) {
      results.push_back(result_or_unreachable(spec, answer.node, answer.unreachable_reason));
      ++total;
      ++by_outcome["agent_unreachable"];
      continue;
    }
    for (const ProbeResult& result : answer.results) {
      results.push_back(to_json(result));
      ++total;
      if (result.success) ++success;
      ++by_outcome[std::string(to_string(result.outcome))];
    }
  }
  ordered_json summary{{"total", total}, {"success", success}, {"by_outcome", by_outcome}};
  HttpResponse response;
  response.body = json_text(ordered_json{{"results", std::move(results)}, {"summary", std::move(summary)}}) + "\n";
  return response;
}

}  // namespace netprobe
