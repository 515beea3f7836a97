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
