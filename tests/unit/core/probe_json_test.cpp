#include "core/probe_json.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/probe_config.hpp"

using namespace netprobe;

TEST_CASE("every probe type survives a trip through JSON and the validator") {
  const char* documents[] = {
      R"({name: kube-dns, type: dns, servers: [auto, "127.0.0.1:5353"], query: a.b., record: AAAA, transports: [udp, tcp], expect_rcode: NXDOMAIN, interval: 30s, timeout: 1500ms})",
      R"({name: api, type: tcp, target: "[::1]:443", expect: deny})",
      R"({name: web, type: http, url: "https://web:8443/x?y=1", method: HEAD, expect_status: [200, "300-302"], headers: {Accept: text/plain}})",
      R"({name: imds, type: metadata, address: "127.0.0.1:8254", flavor: azure})",
      R"({name: aaaa, type: dns, servers: ["127.0.0.1"], query: a., record: AAAA, expect_answers: true})",
      R"({name: internal, type: http, url: "https://web.internal/", tls: {server_name: web.internal, insecure_skip_verify: true}})",
  };
  for (const char* document : documents) {
    CAPTURE(document);
    const ProbeSpec spec = parse_probe_document(document, "test", ProbeDefaults{});
    const std::string json = to_json(spec).dump();
    const ProbeSpec again = parse_probe_document(json, "json", ProbeDefaults{});
    CHECK(to_json(again).dump() == json);
    CHECK(again.name == spec.name);
    CHECK(again.interval == spec.interval);
    CHECK(again.timeout == spec.timeout);
    CHECK(again.expect == spec.expect);
    CHECK(again.params.index() == spec.params.index());
  }
}

TEST_CASE("tls and expect_answers are written only when set, and read back as they were") {
  const ProbeSpec plain = parse_probe_document(R"({type: http, url: "https://web/"})", "t", ProbeDefaults{});
  CHECK_FALSE(to_json(plain).contains("tls"));
  const ProbeSpec dns = parse_probe_document(R"({type: dns, servers: ["127.0.0.1"], query: a.})", "t", ProbeDefaults{});
  CHECK_FALSE(to_json(dns).contains("expect_answers"));

  // A controller's probe with a CA file on the agents: handed down as written (the agent checks the file).
  static const std::string source = "controller.yaml";
  const auto probes = read_probe_list(
      Field(load_yaml(R"([{name: w, type: http, url: "https://web/", tls: {ca_file: /etc/ca/internal.pem, server_name: web.internal}}])",
                      source),
            "probes", source),
      ProbeDefaults{}, CaFiles::unchecked);
  const auto json = to_json(*probes.at(0));
  CHECK(json["tls"].dump() == R"({"ca_file":"/etc/ca/internal.pem","server_name":"web.internal"})");
  const auto again = read_probe(Field(yaml_from_json(nlohmann::json::parse(json.dump())), "probes[0]", source),
                                ProbeDefaults{}, true, "adhoc", CaFiles::unchecked);
  CHECK(std::get<HttpSpec>(again.params).tls == std::get<HttpSpec>(probes.at(0)->params).tls);
}
