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
