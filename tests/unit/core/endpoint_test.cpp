#include "core/endpoint.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("host:port forms") {
  CHECK(parse_endpoint("127.0.0.1:53") == Endpoint{"127.0.0.1", 53});
  CHECK(parse_endpoint("[::1]:5353") == Endpoint{"::1", 5353});
  CHECK(parse_endpoint("kube-dns.kube-system.svc:53") == Endpoint{"kube-dns.kube-system.svc", 53});
  CHECK(parse_endpoint("127.0.0.1", 53) == Endpoint{"127.0.0.1", 53});
  CHECK(parse_endpoint("::1", 53) == Endpoint{"::1", 53});
  CHECK(parse_endpoint("[::1]", 53) == Endpoint{"::1", 53});
}

TEST_CASE("the IP of an advertised address, none for a name") {
  CHECK(endpoint_ip("127.0.0.5:9743") == parse_ip("127.0.0.5"));
  CHECK(endpoint_ip("[::1]:9743") == parse_ip("::1"));
  CHECK_FALSE(endpoint_ip("agent.local:9743"));
  CHECK_FALSE(endpoint_ip(""));
  CHECK_FALSE(endpoint_ip("127.0.0.5"));  // no port: not an address the agent advertises
}

TEST_CASE("bad endpoints") {
  for (const char* bad : {"", ":53", "host:", "host:0", "host:65536", "host:http", "[::1", "[::1]x",
                          "127.0.0.1", "::1", "[]:53"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_endpoint(bad));
  }
}

TEST_CASE("hosts that can be no one's address are refused") {
  using namespace std::string_literals;
  for (const std::string& bad : {"a b:53"s, "a\x01b:53"s, "a\0b:53"s, "caf\xc3\xa9.example:53"s, "\xe8:53"s,
                                 "a..b:53"s, ".a:53"s, "a/b:53"s, "a@b:53"s, "[::1%]:53"s, "[::g]:53"s,
                                 "[a b]:53"s, std::string(64, 'a') + ".example:53", std::string(254, 'a') + ":53"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_endpoint(bad));
  }
  CHECK(parse_endpoint("kube-dns.kube-system.svc.cluster.local.:53"));  // a fully qualified name
  CHECK(parse_endpoint("_dns._udp.example:53"));
  CHECK(parse_endpoint("[fe80::1%eth0]:53") == Endpoint{"fe80::1%eth0", 53});
  CHECK(parse_endpoint("[::ffff:127.0.0.1]:53"));
  CHECK(parse_endpoint(std::string(63, 'a') + ".example:53"));
  CHECK(plausible_host("node-a"));
  CHECK_FALSE(plausible_host(""));
}

TEST_CASE("listen addresses") {
  CHECK(parse_listen_address(":9743") == Endpoint{"::", 9743});
  CHECK(parse_listen_address("127.0.0.1:0") == Endpoint{"127.0.0.1", 0});
  CHECK(parse_listen_address("[::1]:9742") == Endpoint{"::1", 9742});
  CHECK_FALSE(parse_listen_address("9743"));
  CHECK_FALSE(parse_listen_address("127.0.0.1:65536"));
  CHECK_FALSE(parse_listen_address(":"));
}

TEST_CASE("to_string brackets IPv6") {
  CHECK(Endpoint{"::1", 53}.to_string() == "[::1]:53");
  CHECK(Endpoint{"10.96.0.10", 53}.to_string() == "10.96.0.10:53");  // # not-a-destination
}
