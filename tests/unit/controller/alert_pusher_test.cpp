// controller/alert_pusher against a loopback HTTP server standing in for
// Alertmanager (the real one is driven in tests/alerts): what is sent, and
// what each kind of failure reads as.
#include "controller/alert_pusher.hpp"

#include <doctest/doctest.h>

#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "support/loopback_server.hpp"

using namespace netprobe;
namespace http = boost::beast::http;

namespace {

std::vector<PushOutcome> push(std::vector<std::string> urls, std::string body) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, push_to_alertmanagers(std::move(urls), std::move(body)),
                                      boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace

TEST_CASE("alerts are POSTed as JSON to /api/v2/alerts under each URL's path") {
  std::mutex mutex;
  std::vector<testing::HttpRequestSeen> seen;
  testing::LoopbackServer alertmanager(testing::answer_with(http::status::ok, [&](const testing::HttpRequestSeen& request) {
    const std::lock_guard lock(mutex);
    seen.push_back(request);
  }));
  const auto outcomes = push({alertmanager.url("/"), alertmanager.url("/alertmanager")}, R"([{"labels":{}}])");
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].delivered);
  CHECK(outcomes[1].delivered);
  CHECK(outcomes[1].error.empty());
  const std::lock_guard lock(mutex);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method() == http::verb::post);
  CHECK(seen[0].target() == "/api/v2/alerts");
  CHECK(seen[1].target() == "/alertmanager/api/v2/alerts");
  CHECK(seen[0][http::field::content_type] == "application/json");
  CHECK(seen[0].body() == R"([{"labels":{}}])");
}

TEST_CASE("each Alertmanager's failure is its own, and says what went wrong") {
  testing::LoopbackServer refusing(testing::answer_with(http::status::bad_request));
  testing::LoopbackServer accepting(testing::answer_with(http::status::ok));
  const auto outcomes = push({"not a url", refusing.url(), accepting.url()}, "[]");
  REQUIRE(outcomes.size() == 3);
  CHECK_FALSE(outcomes[0].delivered);
  CHECK(outcomes[0].url == "not a url");
  CHECK_FALSE(outcomes[0].error.empty());
  CHECK_FALSE(outcomes[1].delivered);
  CHECK(outcomes[1].error.rfind("status 400", 0) == 0);
  CHECK(outcomes[2].delivered);  // one bad Alertmanager does not stop the next
}
