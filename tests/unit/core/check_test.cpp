#include "core/check.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace netprobe;

TEST_CASE("a dns probe expands into server x transport checks, auto replaced") {
  auto spec = std::make_shared<ProbeSpec>();
  spec->name = "kube-dns";
  DnsSpec dns;
  dns.servers = {"auto", "127.0.0.2:5353", "127.0.0.1"};
  dns.query = "kubernetes.default.svc.cluster.local.";
  dns.transports = {DnsTransport::udp, DnsTransport::tcp};
  spec->params = dns;
  const std::vector<Endpoint> system{{"127.0.0.1", 53}, {"::1", 53}};

  const auto checks = expand_checks(spec, system);
  REQUIRE(checks.size() == 6);  // 127.0.0.1:53 appears once although listed twice
  CHECK(checks[0].target == "127.0.0.1:53");
  CHECK(checks[0].transport == "udp");
  CHECK(checks[1].transport == "tcp");
  CHECK(checks[2].target == "[::1]:53");
  CHECK(checks[4].target == "127.0.0.2:5353");
  CHECK(checks[4].dns_server == Endpoint{"127.0.0.2", 5353});
  CHECK(checks[5].dns_transport == DnsTransport::tcp);
}

TEST_CASE("tcp, http and metadata probes are one check each") {
  auto tcp = std::make_shared<ProbeSpec>(ProbeSpec{"api", Expect::allow, {}, {}, TcpSpec{{"127.0.0.1", 8080}}});
  CHECK(expand_checks(tcp, {}).front().target == "127.0.0.1:8080");
  CHECK(expand_checks(tcp, {}).front().transport == "tcp");

  HttpSpec http;
  http.url = "https://127.0.0.1:8443/metrics";
  auto https = std::make_shared<ProbeSpec>(ProbeSpec{"scrape", Expect::allow, {}, {}, http});
  CHECK(expand_checks(https, {}).front().transport == "https");
  CHECK(expand_checks(https, {}).front().target == "https://127.0.0.1:8443/metrics");

  MetadataSpec aws;
  aws.flavor = MetadataFlavor::aws;
  auto metadata = std::make_shared<ProbeSpec>(ProbeSpec{"imds", Expect::allow, {}, {}, aws});
  CHECK(expand_checks(metadata, {}).front().transport == "http");
  CHECK(expand_checks(metadata, {}).front().target == "169.254.169.254:80");  // # not-a-destination
}

TEST_CASE("auto with no system nameservers yields no checks") {
  auto spec = std::make_shared<ProbeSpec>();
  DnsSpec dns;
  dns.query = "a.";
  spec->params = dns;
  CHECK(expand_checks(spec, {}).empty());
}
