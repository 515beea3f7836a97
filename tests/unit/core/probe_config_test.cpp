#include "core/probe_config.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

namespace {

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
