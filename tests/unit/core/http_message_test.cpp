#include "core/http_message.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace netprobe;

TEST_CASE("path drops the query") {
  HttpRequest request;
  request.target = "/api/v1/status?probe=x";
  CHECK(request.path() == "/api/v1/status");
  request.target = "/metrics";
  CHECK(request.path() == "/metrics");
}

TEST_CASE("errors have the shape docs/api.md fixes") {
  const HttpResponse response = error_response(403, "forbidden", "target outside the allowlist");
  CHECK(response.status == 403);
  CHECK(response.content_type == "application/json");
  const auto body = nlohmann::json::parse(response.body);
  CHECK(body["error"]["code"] == "forbidden");
  CHECK(body["error"]["message"] == "target outside the allowlist");
}

TEST_CASE("bearer tokens") {
  CHECK(bearer_matches("Bearer s3cret", "s3cret"));
  CHECK_FALSE(bearer_matches("Bearer s3cret2", "s3cret"));
  CHECK_FALSE(bearer_matches("Bearer s3cre", "s3cret"));
  CHECK_FALSE(bearer_matches("bearer s3cret", "s3cret"));
  CHECK_FALSE(bearer_matches("s3cret", "s3cret"));
  CHECK_FALSE(bearer_matches("", "s3cret"));
  CHECK_FALSE(bearer_matches("Bearer ", ""));  // no token configured never matches
}

TEST_CASE("a request's query parameters, decoded, and a malformed query refused") {
  HttpRequest request;
  request.target = "/api/v1/findings?namespace=kube-system&x=a%20b&flag";
  const auto query = request.query();
  REQUIRE(query);
  CHECK(*query == std::vector<std::pair<std::string, std::string>>{{"namespace", "kube-system"}, {"x", "a b"}, {"flag", ""}});
  request.target = "/api/v1/findings";
  CHECK(request.query()->empty());
  request.target = "/api/v1/findings?namespace=%zz";
  CHECK_FALSE(request.query());
}
