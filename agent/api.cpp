#include "api.hpp"

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace netprobe {
namespace {

constexpr std::string_view kProbePath = "/api/v1/probe";

AgentRoute parse_probe_request(const HttpRequest& request, const ProbeDefaults& defaults, const AdhocConfig& rules) {
  auto body = read_adhoc_body(request.body, {"probe"});
  if (auto* refusal = std::get_if<HttpResponse>(&body)) return std::move(*refusal);
  auto read = read_adhoc_probe(std::get<nlohmann::json>(body)["probe"], rules, defaults.timeout);
  if (auto* refusal = std::get_if<HttpResponse>(&read)) return std::move(*refusal);
  return RunProbe{std::move(std::get<ProbeSpec>(read))};
}

// The token checks, which need only the head.
std::optional<HttpResponse> refuse_write(const HttpRequest& request, std::string_view token) {
  if (token.empty()) {
    return error_response(403, "writes_disabled", "one-shot probes are disabled: the agent has no --token-file");
  }
  if (!bearer_matches(request.authorization, token)) return unauthorized_response();
  return std::nullopt;
}

}  // namespace

AgentRoute route_agent_request(const HttpRequest& request, std::string_view token, const ProbeDefaults& defaults,
                               const AdhocConfig& rules) {
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
  if (path == kProbePath) {
    if (request.method != "POST") return method_not_allowed_response("POST");
    if (auto refusal = refuse_write(request, token)) return std::move(*refusal);
    return parse_probe_request(request, defaults, rules);
  }
  return error_response(404, "not_found", "no such path: " + std::string(path));
}

Admission admit_agent_request(const HttpRequest& head, std::string_view token) {
  if (head.method != "POST" || head.path() != kProbePath) return {};
  return Admission{refuse_write(head, token), kMaxOneShotBodyBytes, true};
}

HttpResponse probe_results_response(const std::vector<ProbeResult>& results) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ProbeResult& result : results) list.push_back(to_json(result));
  HttpResponse response;
  response.body = json_text(nlohmann::ordered_json{{"results", std::move(list)}}) + "\n";
  return response;
}

}  // namespace netprobe
