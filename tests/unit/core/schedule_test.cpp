#include "core/schedule.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace netprobe;

TEST_CASE("offsets are stable, inside the interval, and spread") {
  const Millis interval{10'000};
  const std::string key = "kube-dns/10.0.0.1:53/udp";  // # not-a-destination
  CHECK(spread_offset(key, interval) == spread_offset(key, interval));
  std::set<long> distinct;
  for (int i = 0; i < 100; ++i) {
    const Millis offset = spread_offset("probe-" + std::to_string(i), interval);
    CHECK(offset >= Millis{0});
    CHECK(offset < interval);
    distinct.insert(offset.count() / 1000);  // which second of the interval
  }
  CHECK(distinct.size() >= 8);  // 100 checks land in most of the 10 one-second slots
  CHECK(spread_offset("x", Millis{0}) == Millis{0});
}

TEST_CASE("the spread key names the node and the whole check, so each check on each node has its own slot") {
  const CheckKey check{"kube-dns", "10.96.0.10:53", "udp"};  // # not-a-destination
  CHECK(spread_key("node-a", check) == "node-a/kube-dns/10.96.0.10:53/udp");  // # not-a-destination
  CHECK(spread_key("node-a", check) != spread_key("node-b", check));
  CHECK(spread_key("n", check) != spread_key("n", CheckKey{"kube-dns", "10.96.0.10:53", "tcp"}));  // # not-a-destination
}

TEST_CASE("the next slot is one interval on, and a stall skips the slots it missed") {
  using std::chrono::milliseconds;
  const std::chrono::steady_clock::time_point start{};
  const Millis interval{10'000};
  CHECK(next_slot(start, interval, start + milliseconds{3}) == start + milliseconds{10'000});
  CHECK(next_slot(start, interval, start + milliseconds{10'000}) == start + milliseconds{10'000});  // due now: run it
  // Suspended for 35 s: one run at 40 s, not the three missed ones at once.
  CHECK(next_slot(start, interval, start + milliseconds{35'000}) == start + milliseconds{40'000});
  CHECK(next_slot(start, interval, start + milliseconds{40'001}) == start + milliseconds{50'000});
}
