// The status page's query string, as hostile input.
#include "controller/status_query.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

namespace {

StatusPageQuery page_query(const Query& query) {
  auto parsed = parse_status_page_query(query);
  REQUIRE(std::holds_alternative<StatusPageQuery>(parsed));
  return std::get<StatusPageQuery>(parsed);
}

std::string page_error(const Query& query) {
  auto parsed = parse_status_page_query(query);
  REQUIRE(std::holds_alternative<QueryError>(parsed));
  return std::get<QueryError>(parsed).message;
}

}  // namespace

TEST_CASE("the overview, a node's page, a target's page") {
  StatusPageQuery query = page_query({});
  CHECK(query.node.empty());
  CHECK_FALSE(query.target);
  CHECK(query.page == 1);
  query = page_query({{"node", "node-7"}});
  CHECK(query.node == "node-7");
  query = page_query({{"probe", "scrape"}, {"target", "10.0.0.1:9100"}, {"transport", "tcp"}, {"page", "3"}});  // # not-a-destination
  REQUIRE(query.target);
  CHECK(query.target->target == "10.0.0.1:9100");  // # not-a-destination
  CHECK(query.page == 3);
  query = page_query({{"q", "pool-b"}, {"failing", "1"}});
  CHECK(query.node_contains == "pool-b");
  CHECK(query.failing_only);
  CHECK(query.refresh_seconds == 10);
  CHECK(page_query({{"refresh", "60"}}).refresh_seconds == 60);
  CHECK(page_query({{"tpage", "3"}}).targets_page == 3);
}

TEST_CASE("each refusal names its parameter") {
  CHECK(page_error({{"nodes", "a"}}).starts_with("unknown query parameter \"nodes\""));
  CHECK(page_error({{"page", "0"}}).starts_with("page:"));
  CHECK(page_error({{"tpage", "0"}}).starts_with("tpage:"));
  CHECK(page_error({{"page", "-1"}}).starts_with("page:"));
  CHECK(page_error({{"page", "2x"}}).starts_with("page:"));
  CHECK(page_error({{"page", "99999999999999999999999"}}).starts_with("page:"));
  CHECK(page_error({{"failing", "yes"}}).starts_with("failing:"));
  CHECK(page_error({{"refresh", "0"}}).starts_with("refresh:"));
  CHECK(page_error({{"refresh", "3601"}}).starts_with("refresh:"));
  CHECK(page_error({{"probe", "scrape"}}).starts_with("probe, target, transport"));
  CHECK(page_error({{"probe", "a"}, {"target", "b"}, {"transport", "tcp"}, {"node", "n"}}).starts_with("node:"));
  CHECK(page_error({{"q", std::string(kMaxQueryValueBytes + 1, 'a')}}).starts_with("q: at most"));
  // A control byte is in no name, and a page echoing it would hand it to a browser.
  CHECK(page_error({{"node", std::string("a\0b", 3)}}) == "node: no control characters");
  CHECK(page_error({{"q", "\x1b[31m"}}) == "q: no control characters");
  CHECK(page_error({{"target", "a\x7f"}}) == "target: no control characters");
  CHECK(page_query({{"q", "pool b/ü"}}).node_contains == "pool b/ü");  // spaces and UTF-8 are fine
}

TEST_CASE("the API's ?node=") {
  auto parsed = parse_status_api_query({{"node", "node-a"}});
  REQUIRE(std::holds_alternative<std::string>(parsed));
  CHECK(std::get<std::string>(parsed) == "node-a");
  CHECK(std::get<std::string>(parse_status_api_query({})).empty());
  CHECK(std::holds_alternative<QueryError>(parse_status_api_query({{"node", ""}})));
  CHECK(std::holds_alternative<QueryError>(parse_status_api_query({{"probe", "x"}})));
  CHECK(std::holds_alternative<QueryError>(parse_status_api_query({{"node", "a\nb"}})));
}
