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

AdhocConfig loopback_rules() {
  AdhocConfig rules;
  rules.allowlist = Allowlist({*parse_cidr("127.0.0.0/8")}, {".cluster.local"});
  rules.max_timeout = Millis{5'000};
  return rules;
}
const AdhocConfig kRules = loopback_rules();

}  // namespace

TEST_CASE("metrics and health") {
  HttpRequest request;
  request.method = "GET";
  request.target = "/metrics";
  CHECK(std::holds_alternative<RenderMetrics>(route_agent_request(request, "", kDefaults, kRules)));
  request.target = "/healthz";
  CHECK(response_of(route_agent_request(request, "", kDefaults, kRules)).body == "ok\n");
  request.target = "/nope";
  CHECK(response_of(route_agent_request(request, "", kDefaults, kRules)).status == 404);
  request.method = "DELETE";
  request.target = "/metrics";
  CHECK(response_of(route_agent_request(request, "", kDefaults, kRules)).status == 405);
}

TEST_CASE("a valid one-shot probe is handed over to run") {
  const AgentRoute route =
      route_agent_request(post_probe(R"({"probe": {"type": "tcp", "target": "127.0.0.1:80"}})"), "t0ken", kDefaults, kRules);
  REQUIRE(std::holds_alternative<RunProbe>(route));
  CHECK(std::get<RunProbe>(route).spec.type() == ProbeType::tcp);
}

TEST_CASE("one-shot probes need the agent token") {
  const std::string body = R"({"probe": {"type": "tcp", "target": "127.0.0.1:80"}})";
  CHECK(response_of(route_agent_request(post_probe(body, ""), "t0ken", kDefaults, kRules)).status == 401);
  CHECK(response_of(route_agent_request(post_probe(body, "Bearer wrong"), "t0ken", kDefaults, kRules)).status == 401);
  CHECK(response_of(route_agent_request(post_probe(body), "", kDefaults, kRules)).status == 403);  // no token file
}

TEST_CASE("one-shot probes without the token are refused on the headers; only they take a body") {
  CHECK(admit_agent_request(post_probe("", ""), "t0ken").refusal->status == 401);
  CHECK(admit_agent_request(post_probe("", "Bearer t0ken"), "").refusal->status == 403);
  const Admission admitted = admit_agent_request(post_probe("", "Bearer t0ken"), "t0ken");
  CHECK_FALSE(admitted.refusal);  // the body is judged once read
  CHECK(admitted.body_limit == kMaxOneShotBodyBytes);
  CHECK(admitted.waits_on_network);  // cancelled when its client hangs up
  HttpRequest metrics;
  metrics.method = "GET";
  metrics.target = "/metrics";
  CHECK_FALSE(admit_agent_request(metrics, "").refusal);
  CHECK(admit_agent_request(metrics, "").body_limit == 0);  // a GET with a body gets 413 at once
  CHECK_FALSE(admit_agent_request(metrics, "").waits_on_network);
  metrics.target = "/healthz";
  CHECK(admit_agent_request(metrics, "t0ken").body_limit == 0);
}

TEST_CASE("one-shot probes are held to the ad hoc rules whoever sends them") {
  const auto route = [](const std::string& body) { return route_agent_request(post_probe(body), "t0ken", kDefaults, kRules); };
  CHECK(response_of(route(R"({"probe": {"type": "tcp", "target": "10.0.0.1:80"}})")).status == 403);  // # not-a-destination
  CHECK(error_message(route(R"({"probe": {"type": "tcp", "target": "10.0.0.1:80"}})")).starts_with(  // # not-a-destination
      "target \"10.0.0.1\" is outside the ad hoc allowlist"));  // # not-a-destination
  // A zone id makes a string both a name under the suffix and an address to the connector.
  CHECK(response_of(route(R"({"probe": {"type": "tcp", "target": "[::ffff:127.0.0.2%x.cluster.local]:80"}})")).status >= 400);
  CHECK(response_of(route(R"({"probe": {"type": "metadata", "flavor": "aws", "address": "[::ffff:10.1.2.3%x.cluster.local]:80"}})")).status >= 400);  // # not-a-destination
  CHECK(error_message(route(R"({"probe": {"type": "tcp", "target": "127.0.0.1:80", "timeout": "6s"}})")) ==
        "probe.timeout: 6s exceeds the ad hoc limit of 5s");
  const AgentRoute fine = route(R"({"probe": {"type": "tcp", "target": "web.cluster.local:80", "timeout": "5s"}})");
  REQUIRE(std::holds_alternative<RunProbe>(fine));
  CHECK(std::get<RunProbe>(fine).spec.timeout == Millis{5'000});
}

TEST_CASE("a body nested 60,000 levels deep is refused, not recursed into") {
  const std::string deep = "{\"probe\": " + std::string(60'000, '[') + std::string(60'000, ']') + "}";
  const AgentRoute route = route_agent_request(post_probe(deep), "t0ken", kDefaults, kRules);
  CHECK(response_of(route).status == 400);
  CHECK(error_message(route) == "body: nested deeper than 32 levels");
}

TEST_CASE("bad bodies get a 400 naming the field") {
  const auto route = [](const std::string& body) { return route_agent_request(post_probe(body), "t0ken", kDefaults, kRules); };
  CHECK(response_of(route("{not json")).status == 400);
  CHECK(error_message(route("{not json")).starts_with("body: not valid JSON"));
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
