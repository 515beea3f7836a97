#include "controller/api.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "kube/derived_discovery.hpp"
#include "unit/corrupt.hpp"

using namespace netprobe;

namespace {

const ControllerTokens kTokens{"agent-token", "api-token"};

HttpRequest request(std::string method, std::string target, std::string body = "", std::string token = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  if (!token.empty()) r.authorization = "Bearer " + token;
  r.remote_address = "127.0.0.1";
  return r;
}

ControllerRoute route(const HttpRequest& r, bool ready = true) {
  static const ControllerConfig config = parse_controller_config(R"(
adhoc:
  allow_cidrs: ["127.0.0.0/8", "10.0.0.0/8"]  # not-a-destination
  allow_suffixes: [".cluster.local"]
  max_timeout: 5s
probes:
  - name: kube-dns
    type: dns
    query: kubernetes.default.svc.cluster.local.
)",
                                                                 "controller.yaml");
  return route_controller_request(r, kTokens, config, ready);
}

HttpResponse response_of(const ControllerRoute& r) {
  REQUIRE(std::holds_alternative<HttpResponse>(r));
  return std::get<HttpResponse>(r);
}

std::string error_of(const ControllerRoute& r) {
  return nlohmann::json::parse(response_of(r).body)["error"]["message"];
}

std::string adhoc(const std::string& probe, const std::string& selection = R"("all": true)") {
  return R"({"probe": )" + probe + ", " + selection + "}";
}

const std::string kReport = R"({"node": "node-a", "namespace": "monitoring", "address": "127.0.0.1:9743",
  "results": [{"probe": "kube-dns", "type": "dns", "target": "127.0.0.1:53", "transport": "udp", "expect": "allow",
               "outcome": "ok", "success": true, "duration_seconds": 0.001, "detail": "", "time": "2026-11-26T10:00:00Z"}]})";

}  // namespace

TEST_CASE("reports need the agent token and a valid body") {
  CHECK(std::holds_alternative<AcceptReport>(route(request("POST", "/api/v1/reports", kReport, "agent-token"))));
  CHECK(response_of(route(request("POST", "/api/v1/reports", kReport))).status == 401);
  CHECK(response_of(route(request("POST", "/api/v1/reports", kReport, "api-token"))).status == 401);
  const auto bad = route(request("POST", "/api/v1/reports", "{", "agent-token"));
  CHECK(response_of(bad).status == 400);
  CHECK(nlohmann::json::parse(response_of(bad).body)["error"]["code"] == "malformed_json");
  CHECK(error_of(route(request("POST", "/api/v1/reports", R"({"node": "a", "namespace": "b", "results": [1]})",
                               "agent-token"))) == "results[0]: expected an object");
  CHECK(response_of(route(request("GET", "/api/v1/reports"))).status == 405);
}

TEST_CASE("a report of 10,000 results (about 4 MiB) is accepted") {
  nlohmann::json report = nlohmann::json::parse(kReport);
  const nlohmann::json result = report["results"][0];
  report["results"] = nlohmann::json::array();
  for (int i = 0; i < 10'000; ++i) {
    nlohmann::json item = result;
    item["probe"] = "synthetic-" + std::to_string(i);
    item["target"] = "payment.payments.svc.cluster.local:9090";
    item["detail"] = "no answer from payment.payments.svc.cluster.local:9090 (10.96.12.34) within 2s";  // # not-a-destination
    report["results"].push_back(std::move(item));
  }
  const std::string large = report.dump();
  REQUIRE(large.size() > (1u << 20));
  REQUIRE(large.size() < kMaxReportBodyBytes);
  const auto accepted = route(request("POST", "/api/v1/reports", large, "agent-token"));
  REQUIRE(std::holds_alternative<AcceptReport>(accepted));
  CHECK(std::get<AcceptReport>(accepted).report.results.size() == 10'000);
}

TEST_CASE("bodies nested deeper than 32 levels are refused before anything walks them") {
  const std::string deep = std::string(60'000, '[') + std::string(60'000, ']');
  CHECK(error_of(route(request("POST", "/api/v1/reports", deep, "agent-token"))) == "body: nested deeper than 32 levels");
  CHECK(error_of(route(request("POST", "/api/v1/probes", R"({"probe": )" + deep + "}", "api-token"))) ==
        "body: nested deeper than 32 levels");
}

TEST_CASE("an advertised address must be an IP literal inside the ad hoc CIDRs") {
  const auto address_refused = [](const std::string& address) {
    nlohmann::json report = nlohmann::json::parse(kReport);
    report["address"] = address;
    const auto accepted = route(request("POST", "/api/v1/reports", report.dump(), "agent-token"));
    REQUIRE(std::holds_alternative<AcceptReport>(accepted));
    const AcceptReport& accept = std::get<AcceptReport>(accepted);
    CHECK(accept.report.address == (accept.address_refused.empty() ? address : ""));
    return accept.address_refused;
  };
  CHECK(address_refused("127.0.0.1:9743") == "");
  CHECK(address_refused("evil.example:9743") == "address \"evil.example:9743\" is not an IP literal");
  CHECK(address_refused("web.cluster.local:9743") == "address \"web.cluster.local:9743\" is not an IP literal");
  CHECK(address_refused("8.8.8.8:9743") == "address \"8.8.8.8:9743\" is outside adhoc.allow_cidrs");
  CHECK(address_refused("[fe80::1%eth0]:9743") != "");
}

TEST_CASE("the reply to a report carries the assigned probes") {
  ControllerConfig config = parse_controller_config("probes:\n  - {name: a, type: tcp, target: 'x:1'}\n", "c.yaml");
  ApplyResult applied;
  applied.accepted = 3;
  const auto body = nlohmann::json::parse(report_accepted_response(applied, config).body);
  CHECK(body["accepted"] == 3);
  CHECK_FALSE(body.contains("refused"));
  CHECK(body["probes"][0]["name"] == "a");
  CHECK(body["probes"][0]["target"] == "x:1");
  CHECK(body["adhoc"]["allow_suffixes"][0] == ".cluster.local");
  CHECK(body["adhoc"]["max_timeout"] == "10s");
  applied.over_agent_cap = 2;
  CHECK(nlohmann::json::parse(report_accepted_response(applied, config).body)["refused"] == 2);
}

TEST_CASE("ad hoc probes need the API token; an agent token is not enough") {
  const std::string body = adhoc(R"({"type": "tcp", "target": "127.0.0.1:9090"})");
  CHECK(std::holds_alternative<RunAdhoc>(route(request("POST", "/api/v1/probes", body, "api-token"))));
  CHECK(response_of(route(request("POST", "/api/v1/probes", body, "agent-token"))).status == 401);
  CHECK(response_of(route(request("POST", "/api/v1/probes", body))).status == 401);
}

TEST_CASE("ad hoc targets outside the allowlist are refused with 403") {
  const auto post = [](const std::string& probe) {
    return route(request("POST", "/api/v1/probes", adhoc(probe), "api-token"));
  };
  CHECK(std::holds_alternative<RunAdhoc>(post(R"({"type": "tcp", "target": "payment.payments.svc.cluster.local:9090"})")));
  CHECK(response_of(post(R"({"type": "tcp", "target": "example.com:443"})")).status == 403);
  CHECK(error_of(post(R"({"type": "tcp", "target": "8.8.8.8:53"})")) ==
        "target \"8.8.8.8\" is outside the ad hoc allowlist (adhoc.allow_cidrs, adhoc.allow_suffixes)");
  CHECK(response_of(post(R"({"type": "http", "url": "http://example.com/"})")).status == 403);
  CHECK(response_of(post(R"({"type": "dns", "servers": ["8.8.8.8"], "query": "a."})")).status == 403);
  CHECK(response_of(post(R"({"type": "dns", "query": "a."})")).status == 403);  // servers: auto
  CHECK(response_of(post(R"({"type": "metadata", "address": "192.168.1.1:80"})")).status == 403);  // # not-a-destination
}

TEST_CASE("ad hoc bodies are validated field by field") {
  const auto post = [](const std::string& body) { return route(request("POST", "/api/v1/probes", body, "api-token")); };
  const std::string tcp = R"({"type": "tcp", "target": "127.0.0.1:1"})";
  CHECK(error_of(post("nope")).starts_with("body: not valid JSON"));
  CHECK(error_of(post(adhoc(tcp, R"("nodes": [])"))) == "nodes: give either a list of nodes or \"all\": true");
  CHECK(error_of(post(R"({"probe": )" + tcp + "}")) == "nodes: give either a list of nodes or \"all\": true");
  CHECK(error_of(post(adhoc(tcp, R"("nodes": ["a", 3])"))) == "nodes[1]: expected a node name");
  CHECK(error_of(post(adhoc(tcp, R"("all": "yes")"))) == "all: expected true or false");
  CHECK(error_of(post(adhoc(R"({"type": "tcp"})"))) == "probe.target: is required");
  CHECK(error_of(post(adhoc(R"({"type": "tcp", "target": "127.0.0.1:1", "timeout": "30s"})"))) ==
        "probe.timeout: 30s exceeds the ad hoc limit of 5s");
  CHECK(error_of(post(adhoc(tcp, R"("nodes": )" + nlohmann::json(std::vector<std::string>(5'001, "n")).dump()))) ==
        "nodes: more than 5000 nodes (use \"all\": true)");
  CHECK(response_of(post(adhoc(R"({"type": "tcp", "target": "[::ffff:127.0.0.2%x.cluster.local]:8080"})"))).status == 403);
  CHECK(error_of(post(adhoc(tcp, R"("all": true, "extra": 1)"))) == "extra: unknown key (expected probe, nodes, all)");
  const auto nodes = post(adhoc(tcp, R"("nodes": ["node-a", "node-b"])"));
  REQUIRE(std::holds_alternative<RunAdhoc>(nodes));
  CHECK(std::get<RunAdhoc>(nodes).nodes.size() == 2);
}

TEST_CASE("writes without their token are refused on the headers; only writes take a body") {
  HttpRequest head = request("POST", "/api/v1/reports", "", "agent-token");
  CHECK_FALSE(admit_controller_request(head, kTokens).refusal);
  CHECK(admit_controller_request(head, kTokens).body_limit == kMaxReportBodyBytes);
  CHECK_FALSE(admit_controller_request(head, kTokens).waits_on_network);  // a report is handled in moments
  head.authorization = "";
  CHECK(admit_controller_request(head, kTokens).refusal->status == 401);
  HttpRequest adhoc_head = request("POST", "/api/v1/probes", "", "api-token");
  CHECK_FALSE(admit_controller_request(adhoc_head, kTokens).refusal);
  CHECK(admit_controller_request(adhoc_head, kTokens).body_limit == kMaxAdhocBodyBytes);
  CHECK(admit_controller_request(adhoc_head, kTokens).waits_on_network);  // the fan-out stops when the client leaves
  adhoc_head.authorization = "Bearer agent-token";
  CHECK(admit_controller_request(adhoc_head, kTokens).refusal->status == 401);
  for (const char* path : {"/metrics", "/healthz", "/api/v1/status", "/"}) {
    const Admission read = admit_controller_request(request("GET", path), kTokens);
    CHECK_FALSE(read.refusal);
    CHECK(read.body_limit == 0);  // a body on a GET gets 413 at once: nothing is buffered
  }
}

TEST_CASE("the status page: its query, its own script and style, nothing else under /static") {
  const auto page = route(request("GET", "/?node=node-7&refresh=30"));
  REQUIRE(std::holds_alternative<RenderStatusPage>(page));
  CHECK(std::get<RenderStatusPage>(page).query.node == "node-7");
  CHECK(std::get<RenderStatusPage>(page).query.refresh_seconds == 30);
  const HttpResponse bad = response_of(route(request("GET", "/?page=zero")));
  CHECK(bad.status == 400);
  CHECK(bad.body.find("page: a whole number") != std::string::npos);
  CHECK(response_of(route(request("GET", "/?node=%zz"))).status == 400);

  for (const char* path : {"/static/status.js", "/static/status.css"}) {
    const HttpResponse asset = response_of(route(request("GET", path)));
    CHECK(asset.status == 200);
    CHECK(asset.body.size() > 500);
    CHECK(asset.content_type.starts_with(std::string_view(path).ends_with(".js") ? "text/javascript" : "text/css"));
  }
  CHECK(response_of(route(request("GET", "/static/../api/v1/status"))).status == 404);
  CHECK(response_of(route(request("GET", "/static/other.js"))).status == 404);
  CHECK(response_of(route(request("POST", "/static/status.js"))).status == 405);

  const auto narrowed = route(request("GET", "/api/v1/status?node=node-a"));
  REQUIRE(std::holds_alternative<RenderStatus>(narrowed));
  CHECK(std::get<RenderStatus>(narrowed).node == "node-a");
  CHECK(response_of(route(request("GET", "/api/v1/status?nodes=a"))).status == 400);
}

TEST_CASE("read endpoints and readiness") {
  CHECK(std::holds_alternative<RenderStatus>(route(request("GET", "/api/v1/status"))));
  CHECK(std::holds_alternative<RenderControllerMetrics>(route(request("GET", "/metrics"))));
  CHECK(std::holds_alternative<RenderStatusPage>(route(request("GET", "/"))));
  CHECK(response_of(route(request("GET", "/healthz"))).status == 200);
  CHECK(response_of(route(request("GET", "/readyz"), false)).status == 503);
  CHECK(response_of(route(request("GET", "/readyz"), true)).status == 200);
  CHECK(std::holds_alternative<RenderFindings>(route(request("GET", "/api/v1/findings"))));
  const auto narrowed = route(request("GET", "/api/v1/findings?namespace=kube-system"));
  REQUIRE(std::holds_alternative<RenderFindings>(narrowed));
  CHECK(std::get<RenderFindings>(narrowed).ns == "kube-system");
  const HttpResponse unknown = response_of(route(request("GET", "/api/v1/findings?ns=kube-system")));
  CHECK(unknown.status == 400);
  CHECK(nlohmann::json::parse(unknown.body)["error"]["message"] == "unknown query parameter \"ns\" (known: namespace)");
  CHECK(response_of(route(request("GET", "/api/v1/findings?namespace=Kube_System"))).status == 400);
  CHECK(response_of(route(request("GET", "/api/v1/findings?namespace=%zz"))).status == 400);
  CHECK(response_of(route(request("POST", "/api/v1/findings"))).status == 405);
  CHECK(response_of(route(request("GET", "/nope"))).status == 404);
  CHECK(response_of(route(request("DELETE", "/api/v1/status"))).status == 405);
}

TEST_CASE("ad hoc answers: one result per node, agent_unreachable for the silent, and a summary") {
  const ProbeSpec spec = parse_probe_document(R"({type: tcp, target: "127.0.0.1:1"})", "t", ProbeDefaults{});
  ProbeResult ok;
  ok.probe = "adhoc";
  ok.node = "node-a";
  ok.outcome = Outcome::ok;
  ok.success = true;
  ProbeResult timeout = ok;
  timeout.node = "node-b";
  timeout.outcome = Outcome::timeout;
  timeout.success = false;
  const std::vector<AdhocAnswer> answers{{"node-a", {ok}, ""}, {"node-b", {timeout}, ""}, {"node-c", {}, "no answer within 3s"}};
  const auto body = nlohmann::json::parse(adhoc_response(spec, answers).body);
  REQUIRE(body["results"].size() == 3);
  CHECK(body["results"][2]["node"] == "node-c");
  CHECK(body["results"][2]["outcome"] == "agent_unreachable");
  CHECK(body["summary"]["total"] == 3);
  CHECK(body["summary"]["success"] == 1);
  CHECK(body["summary"]["by_outcome"]["ok"] == 1);
  CHECK(body["summary"]["by_outcome"]["timeout"] == 1);
  CHECK(body["summary"]["by_outcome"]["agent_unreachable"] == 1);
}

TEST_CASE("status JSON") {
  TargetView target;
  target.probe = "kube-dns";
  target.target = "127.0.0.1:53";
  target.transport = "udp";
  target.nodes = 2;
  target.nodes_by_outcome = {{Outcome::ok, 1}, {Outcome::timeout, 1}};
  target.failing = {FailingNode{"node-b", "monitoring", Outcome::timeout, {}, "no response", nullptr}};
  AgentView agent;
  agent.node = "node-a";
  agent.state = AgentState::stale;
  const auto body = nlohmann::json::parse(status_response({target}, {agent}).body);
  CHECK(body["targets"][0]["failing_nodes"] == 1);
  CHECK(body["targets"][0]["nodes_by_outcome"]["timeout"] == 1);
  CHECK(body["targets"][0]["failing"][0]["node"] == "node-b");
  CHECK_FALSE(body["targets"][0]["failing"][0].contains("policy"));  // none attributed
  CHECK_FALSE(body["targets"][0].contains("policy"));
  CHECK(body["agents"][0]["state"] == "stale");

  const PolicyAttribution denied{PolicyVerdict::denied, PolicyDirection::ingress, {"payments/default-deny"}, "why"};
  target.failing[0].policy = std::make_shared<const PolicyAttribution>(denied);
  target.policy = TargetPolicy{denied, {{PolicyVerdict::denied, 1}}};
  const auto attributed = nlohmann::json::parse(status_response({target}, {agent}).body);
  CHECK(attributed["targets"][0]["failing"][0]["policy"] ==
        nlohmann::json::parse(R"({"verdict":"denied","direction":"ingress","policies":["payments/default-deny"],"reason":"why"})"));
  CHECK(attributed["targets"][0]["policy"]["nodes_by_verdict"]["denied"] == 1);
}

TEST_CASE("findings JSON: the lint shape, with when the analysis ran and why it last failed") {
  const auto body = [](const PolicySnapshot& snapshot) { return nlohmann::json::parse(findings_response(snapshot).body); };

  const nlohmann::json off = body(PolicySnapshot{});
  CHECK(off["enabled"] == false);
  CHECK(off["analysed_at"].is_null());
  CHECK(off["findings"].empty());

  PolicySnapshot snapshot;
  snapshot.enabled = true;
  snapshot.analysed_at = std::chrono::system_clock::time_point{std::chrono::seconds{1'795'000'000}};
  snapshot.attempted_at = snapshot.analysed_at;
  snapshot.policies = 12;
  snapshot.pods = 30;
  const netpol::Finding typo{"selector-matches-nothing", "error", "payments", "payment-ingress",
                             "podSelector app=paymnet matches no pods", "did you mean app: payment?",
                             netpol::SourceRef{"policies.yaml", 7}};
  snapshot.findings = std::vector<netpol::Finding>{typo};
  const nlohmann::json on = body(snapshot);
  CHECK(on["enabled"] == true);
  CHECK(on["analysed_at"] == "2026-11-18T11:06:40Z");
  CHECK(on["error"].is_null());
  CHECK(on["policies"] == 12);
  REQUIRE(on["findings"].size() == 1);
  CHECK(on["findings"][0]["check"] == "selector-matches-nothing");
  CHECK(on["findings"][0]["hint"] == "did you mean app: payment?");
  CHECK(on["findings"][0]["source"] == "policies.yaml:7");

  snapshot.error = "policies.yaml:3: spec: is required";
  CHECK(body(snapshot)["error"] == "policies.yaml:3: spec: is required");
  CHECK(body(snapshot)["findings"].size() == 1);  // the last good findings stay

  snapshot.findings = std::vector<netpol::Finding>{typo, {"dns-egress-blocked", "error", "shop", "lockdown", "m", "h", {}}};
  const nlohmann::json shop = nlohmann::json::parse(findings_response(snapshot, "shop").body);
  REQUIRE(shop["findings"].size() == 1);
  CHECK(shop["findings"][0]["namespace"] == "shop");
  CHECK(shop["policies"] == 12);  // the totals stay those of the whole analysis
  CHECK(nlohmann::json::parse(findings_response(snapshot, "nowhere").body)["findings"].empty());
}

TEST_CASE("corrupted ad hoc bodies get a 4xx naming what is wrong, never an exception") {
  const std::string valid = adhoc(R"({"type": "tcp", "target": "127.0.0.1:9090", "timeout": "1s"})");
  int refused = 0;
  for (const std::string& body : testing::corruptions(valid, 3000)) {
    try {
      const ControllerRoute r = route(request("POST", "/api/v1/probes", body, "api-token"));
      if (const auto* response = std::get_if<HttpResponse>(&r)) {
        CHECK(response->status >= 400);
        CHECK(response->status < 500);
        CHECK_FALSE(nlohmann::json::parse(response->body)["error"]["message"].get<std::string>().empty());
        ++refused;
      }
    } catch (const std::exception& error) {
      FAIL_CHECK("body " << body << " threw " << error.what());
    }
  }
  CHECK(refused > 1500);
}

TEST_CASE("discovery JSON: each probe's source, why a derived one is probed, and who runs it") {
  netpol::DerivedDenyProbe derived{"payments", "payment-0", *parse_ip("127.0.2.30"), 8080, "payments/payment-ingress", true,
                                   "payments/payment-ingress is meant to isolate payments/payment-0", "…"};
  const std::vector<kube::DiscoveredProbe> probes = kube::derived_deny_discovery({derived}, kube::DiscoverySettings{});
  const kube::Assignment assignment = kube::assign(probes, {"node-a", "node-b"}, 1);
  const auto body =
      nlohmann::json::parse(discovery_response(true, true, &probes, assignment, "monitoring/netprobe-agent-x", {"node-c"}).body);
  REQUIRE(body["probes"].size() == 1);
  const auto& probe = body["probes"][0];
  CHECK(probe["probe"]["name"] == "derived-deny");
  CHECK(probe["probe"]["expect"] == "deny");
  CHECK(probe["probe"]["target"] == "127.0.2.30:8080");
  CHECK(probe["source"] == "NetworkPolicy payments/payment-ingress");
  CHECK(probe["reason"] == "payments/payment-ingress is meant to isolate payments/payment-0");
  CHECK(probe["agents"].size() == 1);
  CHECK(body["derived_from"] == "monitoring/netprobe-agent-x");
  CHECK(body["nodes_without_agent"] == nlohmann::json::array({"node-c"}));

  const auto none = nlohmann::json::parse(discovery_response(true, false, nullptr, {}, "", {}).body);
  CHECK(none["probes"].is_null());
  CHECK(none["derived_from"].is_null());
}
