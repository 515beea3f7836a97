// The request builders of io/http_client (the exchange itself is tested
// against real servers in tests/integration/http_test.cpp).
#include "io/http_client.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("a request under a base URL keeps the base's path prefix, host header and scheme") {
  const HttpUrl base = *parse_http_url("https://controller.netprobe.svc:9742/netprobe");
  const ClientRequest request = request_under(base, "POST", "/api/v1/reports");
  CHECK(request.tls);
  CHECK(request.host == "controller.netprobe.svc");
  CHECK(request.port == 9742);
  CHECK(request.host_header == "controller.netprobe.svc:9742");
  CHECK(request.method == "POST");
  CHECK(request.target == "/netprobe/api/v1/reports");
  CHECK(request_under(*parse_http_url("http://127.0.0.1:9742"), "GET", "/api/v1/status").target == "/api/v1/status");
  CHECK(request_under(*parse_http_url("http://127.0.0.1:9742/"), "GET", "/metrics").target == "/metrics");
}

TEST_CASE("a request for a URL sends its path and query as they stand") {
  const ClientRequest request = request_for(*parse_http_url("http://[::1]:8080/metrics?x=1"), "HEAD");
  CHECK(request.host == "::1");
  CHECK(request.target == "/metrics?x=1");
  CHECK(request.method == "HEAD");
  CHECK_FALSE(request.tls);
}

TEST_CASE("a request to an address, with a bearer token and a JSON body") {
  ClientRequest request = request_to(Endpoint{"127.0.0.1", 9743}, "POST", "/api/v1/probe");
  add_bearer_token(request, "t0ken");
  set_json_body(request, R"({"probe": {}})");
  CHECK(request.host == "127.0.0.1");
  CHECK(request.port == 9743);
  CHECK(request.host_header.empty());  // "127.0.0.1:9743", derived when sent
  CHECK(request.headers == std::vector<std::pair<std::string, std::string>>{
                               {"Authorization", "Bearer t0ken"}, {"Content-Type", "application/json"}});
  CHECK(request.body == R"({"probe": {}})");
}
