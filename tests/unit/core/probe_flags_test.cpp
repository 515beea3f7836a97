#include "core/probe_flags.hpp"

#include <doctest/doctest.h>

#include "core/probe_config.hpp"

using namespace netprobe;

namespace {

using Values = std::vector<std::pair<std::string, std::string>>;

ProbeSpec read(ProbeType type, const Values& values) {
  return read_probe(Field(probe_document(type, values), "", "command line"), ProbeDefaults{}, false,
                    to_string(type));
}

}  // namespace

TEST_CASE("flags become the probe document the agent's config would hold") {
  const ProbeSpec dns = read(ProbeType::dns, {{"query", "web.shop.svc.cluster.local."}, {"server", "127.0.0.1:53"},
                                              {"server", "127.0.0.2"}, {"transport", "tcp"}, {"timeout", "1s"}});
  const auto& spec = std::get<DnsSpec>(dns.params);
  CHECK(spec.query == "web.shop.svc.cluster.local.");
  CHECK(spec.servers == std::vector<std::string>{"127.0.0.1:53", "127.0.0.2"});
  CHECK(spec.transports == std::vector<DnsTransport>{DnsTransport::tcp});
  CHECK(dns.timeout == Millis{1'000});
  CHECK(dns.name == "dns");

  const ProbeSpec http = read(ProbeType::http, {{"url", "http://127.0.0.1:8080/metrics"}, {"header", "Accept:  text/plain"},
                                                {"expect-status", "200"}, {"ca-file", "/nowhere.pem"}});
  const auto& get = std::get<HttpSpec>(http.params);
  REQUIRE(get.headers.size() == 1);
  CHECK(get.headers[0] == std::pair<std::string, std::string>{"Accept", "text/plain"});
  CHECK(get.expect_status == std::vector<StatusRange>{StatusRange{200, 200}});
}

TEST_CASE("the tls and expect_answers keys have flags: --server-name, --insecure, --expect-answers") {
  const ProbeSpec https = read(ProbeType::http, {{"url", "https://127.0.0.1:8443/healthz"}, {"server-name", "ledger.internal"},
                                                 {"insecure", "true"}});
  const HttpTls& tls = std::get<HttpSpec>(https.params).tls;
  CHECK(tls.server_name == "ledger.internal");
  CHECK(tls.insecure_skip_verify);
  CHECK(tls.ca_file.empty());  // --ca-file stays the command's own (a file on this host)
  CHECK_FALSE(std::get<HttpSpec>(read(ProbeType::http, {{"url", "https://127.0.0.1/"}}).params).tls.insecure_skip_verify);

  CHECK(std::get<DnsSpec>(read(ProbeType::dns, {{"query", "a."}, {"expect-answers", "true"}}).params).expect_answers);
  CHECK_FALSE(std::get<DnsSpec>(read(ProbeType::dns, {{"query", "a."}}).params).expect_answers);

  CHECK_THROWS_WITH_AS(require_flag_of(ProbeType::tcp, "insecure"), "--insecure is a flag of http probes, not of tcp probes",
                       ProbeFlagError);
  CHECK(flag_for_field(ProbeType::http, "tls.server_name") == "--server-name");
  CHECK(flag_for_field(ProbeType::http, "tls") == "--server-name or --insecure");  // the flags that fill the map
  try {  // tls on an http:// URL: told as those flags
    read(ProbeType::http, {{"url", "http://127.0.0.1/"}, {"server-name", "x"}});
    FAIL("no error");
  } catch (const ConfigError& error) {
    CHECK(flag_for_field(ProbeType::http, error.field()) == "--server-name or --insecure");
  }
}

TEST_CASE("a query without its trailing dot is absolute, as dig takes it") {
  CHECK(std::get<DnsSpec>(read(ProbeType::dns, {{"query", "kubernetes.default"}}).params).query == "kubernetes.default.");
  CHECK(std::get<DnsSpec>(read(ProbeType::dns, {{"query", "a.b."}}).params).query == "a.b.");
}

TEST_CASE("each type's positional argument is its first flag") {
  CHECK(positional_flag(ProbeType::dns).name == "query");
  CHECK(positional_flag(ProbeType::tcp).name == "target");
  CHECK(positional_flag(ProbeType::http).name == "url");
  CHECK(positional_flag(ProbeType::metadata).name == "address");
}

TEST_CASE("a flag of another type is named as such, an unknown one as unknown") {
  CHECK_THROWS_WITH_AS(probe_document(ProbeType::tcp, {{"url", "http://x/"}}),
                       "--url is a flag of http probes, not of tcp probes", ProbeFlagError);
  CHECK_THROWS_WITH_AS(require_flag_of(ProbeType::dns, "resolver"),
                       "--resolver is a flag of tcp, http and metadata probes, not of dns probes", ProbeFlagError);
  CHECK_THROWS_WITH_AS(require_flag_of(ProbeType::dns, "urll"), "unknown flag --urll", ProbeFlagError);
  CHECK_NOTHROW(require_flag_of(ProbeType::dns, "timeout"));
  CHECK(types_with_flag("timeout").empty());  // common, not any one type's
}

TEST_CASE("what the document cannot hold is refused, saying which flag") {
  CHECK_THROWS_WITH_AS(probe_document(ProbeType::tcp, {{"target", "a:1"}, {"target", "b:2"}}),
                       "--target is given twice (it takes one value)", ProbeFlagError);
  CHECK_THROWS_WITH_AS(probe_document(ProbeType::http, {{"header", "no colon"}}),
                       "--header: expected 'Name: value', found \"no colon\"", ProbeFlagError);
  CHECK_THROWS_WITH_AS(probe_document(ProbeType::http, {{"header", ": v"}}),
                       "--header: expected 'Name: value', found \": v\"", ProbeFlagError);
  CHECK_THROWS_WITH_AS(probe_document(ProbeType::http, {{"header", "A: 1"}, {"header", "A: 2"}}),
                       "--header: A is given twice", ProbeFlagError);
}

TEST_CASE("config errors are told back as the flags that set the field") {
  CHECK(flag_for_field(ProbeType::dns, "servers[1]") == "--server");
  CHECK(flag_for_field(ProbeType::dns, "expect_rcode") == "--expect-rcode");
  CHECK(flag_for_field(ProbeType::http, "headers.Accept") == "--header");
  CHECK(flag_for_field(ProbeType::tcp, "timeout") == "--timeout");
  CHECK(flag_for_field(ProbeType::tcp, "interval") == "interval");  // no flag sets it
  try {
    read(ProbeType::tcp, {{"target", "127.0.0.1"}});
    FAIL("no error");
  } catch (const ConfigError& error) {
    CHECK(flag_for_field(ProbeType::tcp, error.field()) == "--target");
  }
}
