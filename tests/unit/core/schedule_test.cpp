#include "core/schedule.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

using namespace netprobe;

namespace {

CheckKey check_named(const std::string& probe) { return CheckKey{probe, "kube-dns:53", "udp"}; }

}  // namespace

TEST_CASE("offsets are stable and inside the interval") {
  const Millis interval{10'000};
  CHECK(spread_offset("node-a", check_named("dns"), interval) == spread_offset("node-a", check_named("dns"), interval));
  for (const Millis each : {Millis{1}, Millis{9}, Millis{10}, Millis{999}, Millis{10'000}, Millis{86'400'000}}) {
    for (int i = 0; i < 50; ++i) {
      const Millis offset = spread_offset("node-" + std::to_string(i), check_named("p" + std::to_string(i)), each);
      CAPTURE(each.count());
      CHECK(offset >= Millis{0});
      CHECK(offset < each);
    }
  }
  CHECK(spread_offset("n", check_named("x"), Millis{0}) == Millis{0});
}

TEST_CASE("a node's checks start together in a few groups, so they wake the agent a few times, not once each") {
  const Millis interval{10'000};
  std::map<long, int> groups;  // offset -> checks starting then
  for (int i = 0; i < 100; ++i) ++groups[spread_offset("node-a", check_named("probe-" + std::to_string(i)), interval).count()];
  CHECK(groups.size() <= static_cast<std::size_t>(kStartsPerInterval));
  CHECK(groups.size() >= 8);  // and most of the ten groups are used: no single burst
  for (const auto& [offset, count] : groups) CHECK(count < 30);
  // The groups are a tenth of the interval apart.
  const long first = groups.begin()->first;
  for (const auto& [offset, count] : groups) CHECK((offset - first) % 1'000 == 0);
}

TEST_CASE("across nodes the same check spreads over the whole interval, not onto ten instants") {
  const Millis interval{10'000};
  std::set<long> offsets;
  for (int i = 0; i < 1'000; ++i) offsets.insert(spread_offset("node-" + std::to_string(i), check_named("dns"), interval).count());
  CHECK(offsets.size() > 500);  // 1,000 nodes on 10,000 possible milliseconds
  std::set<long> seconds;
  for (const long offset : offsets) seconds.insert(offset / 1'000);
  CHECK(seconds.size() == 10);
}

TEST_CASE("the offset names the node and the whole check") {
  const Millis interval{86'400'000};  // wide enough that a collision would be a surprise
  const CheckKey check{"kube-dns", "10.96.0.10:53", "udp"};  // # not-a-destination
  CHECK(spread_offset("node-a", check, interval) != spread_offset("node-b", check, interval));
  CHECK(spread_offset("n", check, interval) !=
        spread_offset("n", CheckKey{"kube-dns", "10.96.0.10:53", "tcp"}, interval));  // # not-a-destination
  // The pieces are kept apart: probe "ab" on target "c" is not probe "a" on target "bc".
  CHECK(spread_offset("n", CheckKey{"ab", "c", "udp"}, interval) != spread_offset("n", CheckKey{"a", "bc", "udp"}, interval));
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
