#include "agent/api.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace netprobe;

namespace {

HttpRequest post_probe(std::string body, std::string authorization = "Bearer t0ken") {
  HttpRequest request;
  request.method = "POST";
  request.target = "/api/v1/probe";
  request.authorization = std::move(authorization);
  request.body = std::move(body);
  return request;
}

HttpResponse response_of(const AgentRoute& route) {
  REQUIRE(std::holds_alternative<HttpResponse>(route));
  return std::get<HttpResponse>(route);
}

std::string error_message(const AgentRoute& route) {
  return nlohmann::json::parse(response_of(route).body)["error"]["message"];
}

const ProbeDefaults kDefaults{};

}  // namespace

TEST_CASE("metrics and health") {
  HttpRequest request;
  request.method = "GET";
  request.target = "/metrics";
  CHECK(std::holds_alternative<RenderMetrics>(route_agent_request(request, "", kDefaults)));
  request.target = "/healthz";
  CHECK(response_of(route_agent_request(request, "", kDefaults)).body == "ok\n");
  request.target = "/nope";
  CHECK(response_of(route_agent_request(request, "", kDefaults)).status == 404);
  request.method = "DELETE";
  request.target = "/metrics";
  CHECK(response_of(route_agent_request(request, "", kDefaults)).status == 405);
}

TEST_CASE("a valid one-shot probe is handed over to run") {
  const AgentRoute route =
      route_agent_request(post_probe(R"({"probe": {"type": "tcp", "target": "127.0.0.1:80"}})"), "t0ken", kDefaults);
  REQUIRE(std::holds_alternative<RunProbe>(route));
  CHECK(std::get<RunProbe>(route).spec.type() == ProbeType::tcp);
}

TEST_CASE("one-shot probes need the agent token") {
  const std::string body = R"({"probe": {"type": "tcp", "target": "127.0.0.1:80"}})";
  CHECK(response_of(route_agent_request(post_probe(body, ""), "t0ken", kDefaults)).status == 401);
  CHECK(response_of(route_agent_request(post_probe(body, "Bearer wrong"), "t0ken", kDefaults)).status == 401);
  CHECK(response_of(route_agent_request(post_probe(body), "", kDefaults)).status == 403);  // no token file
}

TEST_CASE("one-shot probes without the token are refused on the headers") {
  CHECK(admit_agent_request(post_probe("", ""), "t0ken")->status == 401);
  CHECK(admit_agent_request(post_probe("", "Bearer t0ken"), "")->status == 403);
  CHECK_FALSE(admit_agent_request(post_probe("", "Bearer t0ken"), "t0ken"));  // the body is judged once read
  HttpRequest metrics;
  metrics.method = "GET";
  metrics.target = "/metrics";
  CHECK_FALSE(admit_agent_request(metrics, ""));
}

TEST_CASE("bad bodies get a 400 naming the field") {
  const auto route = [](const std::string& body) { return route_agent_request(post_probe(body), "t0ken", kDefaults); };
  CHECK(response_of(route("{not json")).status == 400);
  CHECK(error_message(route("{not json")) == "request body is not valid JSON");
  CHECK(error_message(route("[]")) == "body: expected a JSON object");
  CHECK(error_message(route("{}")) == "probe: is required");
  CHECK(error_message(route(R"({"probe": 1})")) == "probe: expected a JSON object");
  CHECK(error_message(route(R"({"probe": {}, "extra": 1})")) == "extra: unknown key (expected probe)");
  CHECK(error_message(route(R"({"probe": {"type": "tcp"}})")) == "probe.target: is required");
  CHECK(error_message(route(R"({"probe": {"type": "dns", "query": "x"}})")) ==
        "probe.query: \"x\" is not fully qualified (expected a trailing dot)");
  CHECK(error_message(route(R"({"probe": {"type": "tcp", "target": "a:1", "bogus": true}})")).starts_with(
      "probe.bogus: unknown key"));
}
