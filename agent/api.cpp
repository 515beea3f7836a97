#include "api.hpp"

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace netprobe {
namespace {

AgentRoute parse_probe_request(const HttpRequest& request, const ProbeDefaults& defaults) {
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return error_response(400, "malformed_json", "request body is not valid JSON");
  if (!body.is_object()) return error_response(400, "invalid_field", "body: expected a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key != "probe") return error_response(400, "invalid_field", key + ": unknown key (expected probe)");
  }
  if (!body.contains("probe")) return error_response(400, "invalid_field", "probe: is required");
  if (!body["probe"].is_object()) return error_response(400, "invalid_field", "probe: expected a JSON object");
  try {
    // The probe is validated by the same reader as the config file.
    return RunProbe{parse_probe_document(body["probe"].dump(), "probe", defaults)};
  } catch (const ConfigError& error) {
    const std::string field = error.field().empty() ? "probe" : "probe." + error.field();
    return error_response(400, "invalid_field", field + ": " + error.message());
  }
}

}  // namespace

AgentRoute route_agent_request(const HttpRequest& request, std::string_view token, const ProbeDefaults& defaults) {
  const std::string_view path = request.path();
  if (path == "/metrics") {
    if (request.method != "GET" && request.method != "HEAD") return method_not_allowed_response("GET");
    return RenderMetrics{};
  }
  if (path == "/healthz") {
    if (request.method != "GET" && request.method != "HEAD") return method_not_allowed_response("GET");
    HttpResponse response;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "ok\n";
    return response;
  }
  if (path == "/api/v1/probe") {
    if (request.method != "POST") return method_not_allowed_response("POST");
    if (token.empty()) {
      return error_response(403, "writes_disabled", "one-shot probes are disabled: the agent has no --token-file");
    }
    if (!bearer_matches(request.authorization, token)) return unauthorized_response();
    return parse_probe_request(request, defaults);
  }
  return error_response(404, "not_found", "no such path: " + std::string(path));
}

std::optional<HttpResponse> admit_agent_request(const HttpRequest& head, std::string_view token) {
  if (head.method != "POST" || head.path() != "/api/v1/probe") return std::nullopt;
  auto route = route_agent_request(head, token, ProbeDefaults{});  // token and method checks only need the head
  if (auto* refusal = std::get_if<HttpResponse>(&route); refusal != nullptr && (refusal->status == 401 || refusal->status == 403)) {
    return *refusal;
  }
  return std::nullopt;
}

HttpResponse probe_results_response(const std::vector<ProbeResult>& results) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ProbeResult& result : results) list.push_back(to_json(result));
  HttpResponse response;
  response.body = json_text(nlohmann::ordered_json{{"results", std::move(list)}}) + "\n";
  return response;
}

}  // namespace netprobe
