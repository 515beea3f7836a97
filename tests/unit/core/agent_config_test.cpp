#include "core/agent_config.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "unit/corrupt.hpp"

using namespace netprobe;

namespace {

std::string read_testdata(const std::string& name) {
  std::ifstream file(std::string(NETPROBE_TESTDATA) + "/agent/" + name);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string error_of(const std::string& name) {
  try {
    parse_agent_config(read_testdata(name), name);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("a realistic config is read with defaults applied") {
  const AgentConfig config = parse_agent_config(read_testdata("valid.yaml"), "valid.yaml");
  CHECK(config.defaults.interval == Millis{15'000});
  CHECK(config.listen == ":9743");
  REQUIRE(config.controllers.size() == 1);
  REQUIRE(config.probes.size() == 4);

  const ProbeSpec& dns = *config.probes[0];
  CHECK(dns.type() == ProbeType::dns);
  CHECK(dns.interval == Millis{15'000});  // file-level default
  CHECK(dns.timeout == Millis{1'000});
  CHECK(std::get<DnsSpec>(dns.params).transports.size() == 2);
  CHECK(std::get<DnsSpec>(dns.params).record == "A");

  const ProbeSpec& deny = *config.probes[1];
  CHECK(deny.expect == Expect::deny);
  CHECK(deny.interval == Millis{30'000});
  CHECK(std::get<TcpSpec>(deny.params).target == Endpoint{"payment.payments.svc.cluster.local", 9090});

  const auto& http = std::get<HttpSpec>(config.probes[2]->params);
  REQUIRE(http.expect_status.size() == 2);
  CHECK(http.expect_status[0] == StatusRange{200, 299});
  CHECK(http.expect_status[1] == StatusRange{304, 304});
  CHECK(http.headers.at(0).first == "Accept");

  const auto& metadata = std::get<MetadataSpec>(config.probes[3]->params);
  CHECK(metadata.flavor == MetadataFlavor::aws);
  CHECK(metadata.address == Endpoint{"169.254.169.254", 80});  // # not-a-destination
  CHECK(config.probes[3]->timeout == Millis{2'000});
}

TEST_CASE("an empty file is a valid config with no probes") {
  const AgentConfig config = parse_agent_config("", "empty.yaml");
  CHECK(config.probes.empty());
  CHECK(config.defaults.timeout == Millis{2'000});
}

// Each invalid file and the exact message a user sees (file:line: field: message).
TEST_CASE("invalid configs name the file, line and field") {
  const std::pair<const char*, const char*> cases[] = {
      {"invalid-type.yaml",
       "invalid-type.yaml:6: probes[1].type: unknown probe type \"dnss\" (expected dns, tcp, http, metadata)"},
      {"invalid-unknown-key.yaml",
       "invalid-unknown-key.yaml:6: probes[0].tiemout: unknown key (expected one of name, type, expect, "
       "interval, timeout, target)"},
      {"invalid-query-not-fqdn.yaml",
       "invalid-query-not-fqdn.yaml:4: probes[0].query: \"kubernetes.default.svc.cluster.local\" is not fully "
       "qualified (expected a trailing dot)"},
      {"invalid-dns-server.yaml",
       "invalid-dns-server.yaml:4: probes[0].servers[1]: invalid DNS server \"not-an-ip\" (expected auto or "
       "IP[:port])"},
      {"invalid-transport.yaml",
       "invalid-transport.yaml:5: probes[0].transports[1]: unknown transport \"quic\" (expected udp, tcp)"},
      {"invalid-duration.yaml",
       "invalid-duration.yaml:5: probes[0].interval: invalid duration \"10\" (expected e.g. 500ms, 10s, 1m)"},
      {"invalid-timeout-over-interval.yaml",
       "invalid-timeout-over-interval.yaml:6: probes[0].timeout: timeout 2s exceeds interval 1s"},
      {"invalid-duplicate-name.yaml",
       "invalid-duplicate-name.yaml:5: probes[1].name: duplicate probe name \"a\""},
      {"invalid-missing-name.yaml", "invalid-missing-name.yaml:2: probes[0].name: is required"},
      {"invalid-tcp-target.yaml",
       "invalid-tcp-target.yaml:4: probes[0].target: invalid address \"127.0.0.1\" (expected host:port)"},
      {"invalid-url.yaml",
       "invalid-url.yaml:4: probes[0].url: invalid URL \"ftp://example/\": scheme \"ftp\" is not http or https"},
      {"invalid-status-range.yaml",
       "invalid-status-range.yaml:5: probes[0].expect_status[1]: invalid status range \"500-400\" (low above "
       "high)"},
      {"invalid-flavor.yaml",
       "invalid-flavor.yaml:4: probes[0].flavor: unknown flavor \"alibaba\" (expected tcp, aws, gcp, azure)"},
      {"invalid-expect.yaml",
       "invalid-expect.yaml:5: probes[0].expect: unknown expect \"maybe\" (expected allow, deny)"},
      {"invalid-record.yaml",
       "invalid-record.yaml:5: probes[0].record: unknown record type \"AAAAA\" (expected A, AAAA, CNAME, MX, NS, "
       "PTR, SOA, SRV, TXT, CAA)"},
      {"invalid-probes-not-list.yaml",
       "invalid-probes-not-list.yaml:1: probes: expected a list, found a mapping"},
      {"invalid-yaml-syntax.yaml", "invalid-yaml-syntax.yaml:3: invalid YAML: end of sequence flow not found"},
      {"invalid-name.yaml",
       "invalid-name.yaml:2: probes[0].name: invalid name \"a b\" (expected letters, digits, '-', '_', '.')"},
      {"invalid-controller-url.yaml",
       "invalid-controller-url.yaml:1: controllers[0]: invalid controller URL \"netprobe-controller:9742\": no scheme: "
       "add http:// (http://netprobe-controller:9742)"},
      {"invalid-rcode.yaml",
       "invalid-rcode.yaml:5: probes[0].expect_rcode: unknown rcode \"NOPE\" (expected e.g. NOERROR, NXDOMAIN)"},
  };
  for (const auto& entry : cases) {  // not a structured binding: clang cannot capture one (CAPTURE)
    const std::string file = entry.first;
    CAPTURE(file);
    CHECK(error_of(file) == entry.second);
  }
}

TEST_CASE("corrupted configs are refused with a ConfigError, never another exception") {
  int refused = 0;
  for (const std::string& text : testing::corruptions(read_testdata("valid.yaml"), 3000)) {
    try {
      parse_agent_config(text, "agent.yaml");
    } catch (const ConfigError& error) {
      ++refused;
      CHECK(std::string(error.what()).rfind("agent.yaml:", 0) == 0);  // always names the file
    } catch (const std::exception& error) {
      FAIL_CHECK("config\n" << text << "\nthrew " << error.what());
    }
  }
  CHECK(refused > 1000);
}

TEST_CASE("assigned probes join the agent's own, but never replace one of the same name") {
  const AgentConfig own = parse_agent_config(R"(
probes:
  - {name: api, type: tcp, target: "127.0.0.1:6443"}
)", "own.yaml");
  const AgentConfig assigning = parse_agent_config(R"(
probes:
  - {name: api, type: tcp, target: "127.0.0.2:1"}
  - {name: dns, type: dns, servers: ["127.0.0.1:53"], query: "kubernetes.default.svc.cluster.local."}
)", "assigned.yaml");
  const AgentConfig runs = with_assigned_probes(own, assigning.probes);
  REQUIRE(runs.probes.size() == 2);
  CHECK(runs.probes[0]->name == "api");
  CHECK(std::get<TcpSpec>(runs.probes[0]->params).target.host == "127.0.0.1");  // the node's own
  CHECK(runs.probes[1]->name == "dns");
  CHECK(with_assigned_probes(own, {}).probes.size() == 1);
}
