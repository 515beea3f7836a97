#include "core/probe_config.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include "support/process.hpp"

using namespace netprobe;
using netprobe::testing::make_temp_dir;
using netprobe::testing::write_file;

namespace {

// Any certificate-shaped text passes the load-time check; OpenSSL parses it when a probe first uses it.
constexpr const char* kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

struct TempDir {
  std::string path = make_temp_dir("netprobe-probe-config");
  ~TempDir() { std::filesystem::remove_all(path); }
};

// The error of a `probes:` list as the agent's config reads it, or "(accepted)".
std::string list_error(const std::string& yaml, CaFiles ca_files = CaFiles::read) {
  static const std::string source = "agent.yaml";
  try {
    read_probe_list(Field(load_yaml(yaml, source), "probes", source), ProbeDefaults{}, ca_files);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

std::string error_of(const std::string& body) {
  try {
    parse_probe_document(body, "request", ProbeDefaults{});
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("an ad hoc probe in JSON uses the same rules as the config file") {
  const ProbeSpec spec = parse_probe_document(
      R"({"type": "tcp", "target": "payment.payments.svc.cluster.local:9090", "timeout": "1s"})", "request",
      ProbeDefaults{});
  CHECK(spec.name == "adhoc");
  CHECK(spec.timeout == Millis{1'000});
  CHECK(std::get<TcpSpec>(spec.params).target.port == 9090);

  const ProbeSpec dns = parse_probe_document(
      R"({"name": "q", "type": "dns", "servers": ["127.0.0.1:5353"], "query": "a.", "transports": ["tcp"]})",
      "request", ProbeDefaults{});
  CHECK(dns.name == "q");
  CHECK(std::get<DnsSpec>(dns.params).transports.front() == DnsTransport::tcp);
}

TEST_CASE("bad ad hoc probes name the field") {
  CHECK(error_of(R"({"type": "tcp"})") == "request:1: target: is required");
  CHECK(error_of(R"({"type": 5, "target": "a:1"})") ==
        "request:1: type: unknown probe type \"5\" (expected dns, tcp, http, metadata)");
  CHECK(error_of(R"({"type": "tcp", "target": {"a": 1}})") ==
        "request:1: target: expected a string, found a mapping");
  CHECK(error_of(R"({"type": "http", "url": "http://a/", "expect_status": 999})") ==
        "request:1: expect_status: invalid status \"999\" (expected e.g. 200 or 200-299)");
  CHECK(error_of(R"({"type": "http", "url": "http://a/", "headers": {"X": "a\r\nb"}})") ==
        "request:1: headers.X: header value has a control character");
  CHECK(error_of(R"({"type": "http", "url": "http://a/", "headers": {"X": "a\u0001b"}})") ==
        "request:1: headers.X: header value has a control character");
  CHECK(error_of("[1, 2]") == "request:1: expected a mapping, found a list");
  CHECK(error_of(R"({"type": "tcp", "target": "a:1", "timeout": "20s"})") ==
        "request:1: timeout: timeout 20s exceeds interval 10s");
}

TEST_CASE("lists a probe holds a handful of are bounded, naming the field") {
  std::string servers;
  for (int i = 0; i < 17; ++i) servers += (i ? ", " : "") + std::string("\"127.0.0.") + std::to_string(i + 1) + "\"";
  CHECK(error_of(R"({"type": "dns", "query": "a.", "servers": [)" + servers + "]}") ==
        "request:1: servers: more than 16 items (17)");
  std::string headers;
  for (int i = 0; i < 33; ++i) headers += (i ? ", " : "") + std::string("\"X-") + std::to_string(i) + "\": \"v\"";
  CHECK(error_of(R"({"type": "http", "url": "http://a/", "headers": {)" + headers + "}}") ==
        "request:1: headers: more than 32 entries (33)");
  CHECK(error_of(R"({"type": "http", "url": "http://a/", "headers": {"X": ")" + std::string(5000, 'v') + "\"}}") ==
        "request:1: headers.X: header value longer than 4096 characters");
}

TEST_CASE("host names and queries that can be no one's are refused (found by tests/fuzz/probe_fuzz)") {
  // Such bytes would end up in metric labels and report JSON as written.
  CHECK(error_of("{type: tcp, target: \"a\\x01-b:53\"}") ==
        "request:1: target: invalid address \"a\x01-b:53\" (expected host:port)");
  CHECK(error_of("type: tcp\ntarget: \"caf\xc3\xa9:80\"\n").starts_with("request:2: target: invalid address"));
  CHECK(error_of("{type: dns, servers: [\"127.0.0.1:53\"], query: \"ku\xb3\xb3.svc.\"}") ==
        "request:1: query: \"ku\xb3\xb3.svc.\" is not a domain name (letters, digits, '-' and '_' in dot-separated labels)");
  CHECK(error_of("{type: dns, servers: [\"127.0.0.1:53\"], query: \"a b.\"}").ends_with("is not a domain name "
                                                                                    "(letters, digits, '-' and '_' in "
                                                                                    "dot-separated labels)"));
  CHECK(error_of("{type: dns, servers: [\"127.0.0.1:53\"], query: \"_dns._udp.example.\"}") == "(accepted)");
}

TEST_CASE("an https probe's tls: a CA file read at load, a server name, insecure_skip_verify") {
  const TempDir dir;
  write_file(dir.path + "/ca.pem", kPem);
  write_file(dir.path + "/key.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
  const std::string head = "- {name: web, type: http, url: \"https://web.internal:8443/\", ";

  const ProbeSpec spec = parse_probe_document(
      "{type: http, url: \"https://web.internal/\", tls: {ca_file: " + dir.path +
          "/ca.pem, server_name: web.internal, insecure_skip_verify: false}}",
      "agent.yaml", ProbeDefaults{});
  const HttpTls& tls = std::get<HttpSpec>(spec.params).tls;
  CHECK(tls.ca_file == dir.path + "/ca.pem");
  CHECK(tls.server_name == "web.internal");
  CHECK_FALSE(tls.insecure_skip_verify);
  CHECK(list_error(head + "tls: {insecure_skip_verify: true}}") == "(accepted)");
  CHECK(list_error(head + "tls: {server_name: 127.0.0.1}}") == "(accepted)");  // matched against IP SANs

  // Each error names its field, and a file's error the system's reason.
  CHECK(list_error(head + "tls: {ca_file: " + dir.path + "/nope.pem}}") ==
        "agent.yaml:1: probes[0].tls.ca_file: cannot read " + dir.path + "/nope.pem: No such file or directory");
  CHECK(list_error(head + "tls: {ca_file: " + dir.path + "}}") ==
        "agent.yaml:1: probes[0].tls.ca_file: " + dir.path + " is not a regular file");
  CHECK(list_error(head + "tls: {ca_file: " + dir.path + "/key.pem}}") ==
        "agent.yaml:1: probes[0].tls.ca_file: " + dir.path +
            "/key.pem holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  CHECK(list_error(head + "tls: {ca_file: /dev/zero}}") == "agent.yaml:1: probes[0].tls.ca_file: /dev/zero is not a regular file");
  CHECK(list_error(head + "tls: {ca_file: \"\"}}") == "agent.yaml:1: probes[0].tls.ca_file: needs a file name");
  CHECK(list_error(head + "tls: {server_name: \"web internal\"}}") ==
        "agent.yaml:1: probes[0].tls.server_name: \"web internal\" is not a host name (e.g. web.internal, without a "
        "trailing dot)");
  CHECK(list_error(head + "tls: {server_name: web.internal.}}").starts_with(
      "agent.yaml:1: probes[0].tls.server_name: \"web.internal.\" is not a host name"));
  CHECK(list_error(head + "tls: {insecure_skip_verify: yes}}") ==
        "agent.yaml:1: probes[0].tls.insecure_skip_verify: expected true or false, found \"yes\"");
  CHECK(list_error(head + "tls: {ca: x}}").starts_with("agent.yaml:1: probes[0].tls.ca: unknown key"));
  CHECK(list_error(head + "tls: [x]}").starts_with("agent.yaml:1: probes[0].tls: expected a mapping"));
  CHECK(list_error("- {name: web, type: http, url: \"http://web.internal/\", tls: {server_name: web.internal}}") ==
        "agent.yaml:1: probes[0].tls: only for https:// URLs (the URL is \"http://web.internal/\")");
  CHECK(list_error("- {name: q, type: tcp, target: \"a:1\", tls: {}}").starts_with("agent.yaml:1: probes[0].tls: unknown key"));

  // The controller's config names a file on the agents: not read there.
  CHECK(list_error(head + "tls: {ca_file: /etc/netprobe/ca/internal.pem}}", CaFiles::unchecked) == "(accepted)");
  // An ad hoc probe may not name one at all, readable or not.
  CHECK(list_error(head + "tls: {ca_file: " + dir.path + "/ca.pem}}", CaFiles::refused) ==
        "agent.yaml:1: probes[0].tls.ca_file: not allowed in an ad hoc probe (the agent would open a file the caller "
        "names); put the probe in the agent's config");
  CHECK(list_error(head + "tls: {server_name: web.internal, insecure_skip_verify: true}}", CaFiles::refused) ==
        "(accepted)");
}

TEST_CASE("a dns probe's expect_answers: false unless set, a boolean") {
  CHECK_FALSE(std::get<DnsSpec>(parse_probe_document("{type: dns, servers: [\"127.0.0.1\"], query: a.}", "t",
                                                     ProbeDefaults{}).params).expect_answers);
  CHECK(std::get<DnsSpec>(parse_probe_document("{type: dns, servers: [\"127.0.0.1\"], query: a., expect_answers: true}",
                                               "t", ProbeDefaults{}).params).expect_answers);
  CHECK(list_error("- {name: q, type: dns, servers: [\"127.0.0.1\"], query: a., expect_answers: 1}") ==
        "agent.yaml:1: probes[0].expect_answers: expected true or false, found \"1\"");
}
