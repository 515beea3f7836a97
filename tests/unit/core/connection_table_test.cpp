#include "core/connection_table.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace std::chrono_literals;
using Refusal = ConnectionTable::Refusal;

namespace {
const ConnectionTable::Clock::time_point t0{};
}

TEST_CASE("a client address holds at most max_per_client connections") {
  ConnectionTable table({.max_connections = 100, .max_per_client = 2});
  const auto first = table.open("192.0.2.1", t0);
  CHECK(table.open("192.0.2.1", t0).refusal == Refusal::none);
  CHECK(table.open("192.0.2.1", t0).refusal == Refusal::client_limit);
  CHECK(table.open("192.0.2.2", t0).refusal == Refusal::none);  // others are not affected
  table.close(first.id);
  CHECK(table.open("192.0.2.1", t0).refusal == Refusal::none);
  CHECK(table.of_client("192.0.2.1") == 2);
  CHECK(table.size() == 3);
}

TEST_CASE("at the cap, the connection waiting longest for a header makes room") {
  ConnectionTable table({.max_connections = 3, .max_per_client = 10});
  const auto slow = table.open("192.0.2.9", t0);
  const auto busy = table.open("192.0.2.8", t0 + 1s);
  const auto idle = table.open("192.0.2.7", t0 + 2s);
  table.serving(slow.id);  // its header came in: it is being answered
  table.waiting(slow.id, t0 + 5s);  // ...and it is idle again, since 5 s
  table.serving(busy.id);

  const auto kubelet = table.open("192.0.2.1", t0 + 6s);
  CHECK(kubelet.refusal == Refusal::none);
  REQUIRE(kubelet.evicted.has_value());
  CHECK(*kubelet.evicted == idle.id);  // waiting since 2 s, longer than slow's 5 s
  CHECK(table.size() == 3);
  CHECK(table.of_client("192.0.2.7") == 0);

  const auto next = table.open("192.0.2.2", t0 + 7s);
  REQUIRE(next.evicted.has_value());
  CHECK(*next.evicted == slow.id);
}

TEST_CASE("a full table of connections being served refuses the newcomer") {
  ConnectionTable table({.max_connections = 2, .max_per_client = 10});
  table.serving(table.open("a", t0).id);
  table.serving(table.open("b", t0).id);
  const auto refused = table.open("c", t0);
  CHECK(refused.refusal == Refusal::full);
  CHECK_FALSE(refused.evicted.has_value());
  CHECK(table.size() == 2);
}

TEST_CASE("closing an evicted or unknown connection changes nothing") {
  ConnectionTable table({.max_connections = 1, .max_per_client = 10});
  const auto first = table.open("a", t0);
  const auto second = table.open("b", t0 + 1s);
  REQUIRE(second.evicted == first.id);
  table.close(first.id);  // the evicted session ends later and closes itself
  table.close(9999);
  CHECK(table.size() == 1);
  CHECK(table.of_client("b") == 1);
}
