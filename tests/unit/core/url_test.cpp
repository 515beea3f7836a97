#include "core/url.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("http URLs") {
  auto url = parse_http_url("http://127.0.0.1:8080/metrics?x=1#frag");
  REQUIRE(url);
  CHECK_FALSE(url->tls);
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == 8080);
  CHECK(url->target == "/metrics?x=1");
  CHECK(url->host_header == "127.0.0.1:8080");

  auto secure = parse_http_url("https://example.svc.cluster.local");
  REQUIRE(secure);
  CHECK(secure->tls);
  CHECK(secure->port == 443);
  CHECK(secure->target == "/");

  auto ipv6 = parse_http_url("http://[::1]:9090/");
  REQUIRE(ipv6);
  CHECK(ipv6->host == "::1");
  CHECK(ipv6->host_header == "[::1]:9090");
}

TEST_CASE("URLs a prober cannot use") {
  UrlError error;
  CHECK_FALSE(parse_http_url("ftp://host/", &error));
  CHECK(error.message == "scheme \"ftp\" is not http or https");
  CHECK_FALSE(parse_http_url("/relative", &error));
  CHECK_FALSE(parse_http_url("http://user:pw@host/", &error));
  CHECK(error.message == "credentials in the URL are not supported");
  CHECK_FALSE(parse_http_url("http:///path", &error));
  CHECK(error.message == "URL has no host");
  CHECK_FALSE(parse_http_url("http://host:99999/", &error));
}

TEST_CASE("a URL without its scheme: say what to add, as curl users expect") {
  UrlError error;
  CHECK_FALSE(parse_http_url("127.0.0.1:9742", &error));
  CHECK(error.message == "no scheme: add http:// (http://127.0.0.1:9742)");
  CHECK_FALSE(parse_http_url("localhost:9742/metrics", &error));  // a parser would call "localhost" a scheme
  CHECK(error.message == "no scheme: add http:// (http://localhost:9742/metrics)");
  CHECK_FALSE(parse_http_url("netprobe-controller.monitoring.svc", &error));
  CHECK(error.message.starts_with("no scheme: add http://"));
}
