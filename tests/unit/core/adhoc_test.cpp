#include "core/adhoc.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace netprobe;
using nlohmann::json;

namespace {

const std::string kSource = "controller.yaml";

AdhocConfig rules_from(std::string_view yaml, bool with_rate = true) {
  return read_adhoc_config(Field(load_yaml(yaml, kSource), "adhoc", kSource), with_rate);
}

std::string config_error(std::string_view yaml, bool with_rate = true) {
  try {
    rules_from(yaml, with_rate);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

// The HTTP status and error body read_adhoc_probe answers, or 0 for a probe it accepts.
int status_of(const std::variant<ProbeSpec, HttpResponse>& read) {
  const auto* refusal = std::get_if<HttpResponse>(&read);
  return refusal == nullptr ? 0 : refusal->status;
}
std::string message_of(const std::variant<ProbeSpec, HttpResponse>& read) {
  const auto* refusal = std::get_if<HttpResponse>(&read);
  return refusal == nullptr ? "" : json::parse(refusal->body)["error"]["message"].get<std::string>();
}

}  // namespace

TEST_CASE("an adhoc block: its CIDRs, suffixes, rate and max_timeout, with errors naming the field") {
  const AdhocConfig rules = rules_from("{allow_cidrs: [127.0.0.0/8], allow_suffixes: [.svc.cluster.local], "
                                       "rate_per_minute: 5, max_timeout: 3s}");
  CHECK(rules.rate_per_minute == 5);
  CHECK(rules.max_timeout == Millis{3'000});
  CHECK(rules.allowlist.allows_host("127.0.0.9"));
  CHECK_FALSE(rules.allowlist.allows_host("10.0.0.1"));  // # not-a-destination
  CHECK(rules.allowlist.allows_host("api.shop.svc.cluster.local"));
  CHECK(config_error("{allow_cidrs: [300.0.0.0/8]}").find("adhoc.allow_cidrs[0]") != std::string::npos);
  CHECK(config_error("{allow_suffixes: ['.']}").find("an empty suffix would allow every name") != std::string::npos);
  CHECK(config_error("{max_timeout: 10ms}").find("max_timeout must be at least 100ms") != std::string::npos);
  CHECK(config_error("{rate_per_minute: 5}", false).find("unknown key") != std::string::npos);  // the agent's has none
}

TEST_CASE("the rules handed to agents read back as they were") {
  const AdhocConfig rules = rules_from("{allow_cidrs: [127.0.0.0/8, '::1/128'], allow_suffixes: [.cluster.local], "
                                       "max_timeout: 4s}");
  const AdhocConfig back = adhoc_from_json(json::parse(adhoc_to_json(rules).dump()));
  CHECK(adhoc_to_json(back) == adhoc_to_json(rules));
  CHECK(back.max_timeout == Millis{4'000});
  CHECK_THROWS_AS(adhoc_from_json(json::parse(R"({"allow_cidrs": "all"})")), ConfigError);
}

TEST_CASE("the hosts a probe would reach first, per type") {
  const AdhocConfig rules;
  auto read = [&](const char* probe) { return read_adhoc_probe(json::parse(probe), rules, Millis{2'000}); };
  const auto dns = read(R"({"type": "dns", "servers": ["10.96.0.10:53", "10.96.0.11"], "query": "a.b."})");  // # not-a-destination
  CHECK(adhoc_target_hosts(std::get<ProbeSpec>(dns)) == std::vector<std::string>{"10.96.0.10", "10.96.0.11"});  // # not-a-destination
  const auto http = read(R"({"type": "http", "url": "http://api.shop.svc.cluster.local:8080/healthz"})");
  CHECK(adhoc_target_hosts(std::get<ProbeSpec>(http)) == std::vector<std::string>{"api.shop.svc.cluster.local"});
}

TEST_CASE("an ad hoc probe: 400 naming the field when malformed or too long, 403 outside the allowlist") {
  const AdhocConfig rules = rules_from("{allow_cidrs: [127.0.0.0/8], allow_suffixes: [.cluster.local], max_timeout: 5s}");
  auto read = [&](const char* probe) { return read_adhoc_probe(json::parse(probe), rules, Millis{2'000}); };

  const auto ok = read(R"({"type": "tcp", "target": "127.0.0.1:8080"})");
  REQUIRE(status_of(ok) == 0);
  CHECK(std::get<ProbeSpec>(ok).timeout == Millis{2'000});  // the default, below max_timeout

  CHECK(status_of(read(R"({"type": "tcp", "target": "127.0.0.1:8080", "timeout": "6s"})")) == 400);
  CHECK(message_of(read(R"({"type": "tcp", "target": "127.0.0.1:8080", "timeout": "6s"})")) ==
        "probe.timeout: 6s exceeds the ad hoc limit of 5s");
  CHECK(message_of(read(R"({"type": "tcp"})")) == "probe.target: is required");
  CHECK(status_of(read(R"(["tcp"])")) == 400);

  CHECK(status_of(read(R"({"type": "tcp", "target": "127.0.0.2:8080"})")) == 0);
  CHECK(status_of(read(R"({"type": "tcp", "target": "192.168.1.1:22"})")) == 403);  // # not-a-destination
  CHECK(status_of(read(R"({"type": "dns", "query": "a.cluster.local."})")) == 403);  // servers: [auto]
  CHECK(status_of(read(R"({"type": "tcp", "target": "[::ffff:127.0.0.2%x.cluster.local]:8080"})")) != 0);  // a zone id
  CHECK(status_of(read(R"({"type": "http", "url": "http://evil.example.com/"})")) == 403);

  // tls.ca_file would have the agent open a file the caller names: refused before any file is touched.
  const char* with_ca = R"({"type": "http", "url": "https://127.0.0.1:8443/", "tls": {"ca_file": "/etc/shadow"}})";
  CHECK(status_of(read(with_ca)) == 400);
  CHECK(message_of(read(with_ca)).starts_with("probe.tls.ca_file: not allowed in an ad hoc probe"));
  const auto named = read(R"({"type": "http", "url": "https://127.0.0.1:8443/",
                              "tls": {"server_name": "web.internal", "insecure_skip_verify": true}})");
  REQUIRE(status_of(named) == 0);
  CHECK(std::get<HttpSpec>(std::get<ProbeSpec>(named).params).tls.server_name == "web.internal");
}

TEST_CASE("an ad hoc body: a JSON object of the keys the path takes, with a probe") {
  CHECK(std::holds_alternative<json>(read_adhoc_body(R"({"probe": {}, "all": true})", {"probe", "nodes", "all"})));
  auto refusal = [](std::string_view body) {
    const auto read = read_adhoc_body(body, {"probe"});
    const auto* response = std::get_if<HttpResponse>(&read);
    return response == nullptr ? std::string() : json::parse(response->body)["error"]["message"].get<std::string>();
  };
  CHECK(refusal(R"({"probe": {}, "nodes": ["a"]})") == "nodes: unknown key (expected probe)");
  CHECK(refusal(R"({})") == "probe: is required");
  CHECK(refusal(R"([])") == "body: expected a JSON object");
  CHECK(refusal(R"({"probe": )").starts_with("body: not valid JSON"));
  CHECK(refusal(std::string(100, '[') + std::string(100, ']')) == "body: nested deeper than 32 levels");
}
