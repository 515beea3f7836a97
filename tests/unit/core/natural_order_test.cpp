// Node names in the order people count them.
#include "core/natural_order.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("runs of digits compare by value, the rest byte by byte") {
  std::vector<std::string> names{"node-2-10", "node-10", "node-2-1", "node-2", "node-1", "node-2-2", "node-b", "node-a"};
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) { return natural_less(a, b); });
  CHECK(names == std::vector<std::string>{"node-1", "node-2", "node-2-1", "node-2-2", "node-2-10", "node-10", "node-a",
                                          "node-b"});
}

TEST_CASE("machine-made names: addresses, pools, zero-padded counters") {
  CHECK(natural_less("ip-10-0-3-7", "ip-10-0-3-12"));
  CHECK(natural_less("ip-10-0-3-200", "ip-10-0-20-1"));
  CHECK(natural_less("gke-pool-1-abc-42", "gke-pool-2-abc-1"));
  CHECK(natural_less("node-0099", "node-0100"));
  CHECK(natural_less("node-9", "node-0100"));
  // Longer than any integer type: compared as digit strings, not parsed.
  CHECK(natural_less("n-99999999999999999999999", "n-100000000000000000000000"));
}

TEST_CASE("a strict weak order: irreflexive, and different names never tie") {
  CHECK_FALSE(natural_less("node-7", "node-7"));
  CHECK(natural_less("node-7", "node-007"));  // same value: fewer zeros first
  CHECK_FALSE(natural_less("node-007", "node-7"));
  CHECK(natural_less("node", "node-1"));  // a prefix first
  CHECK_FALSE(natural_less("node-1", "node"));
  CHECK(natural_less("", "a"));
  CHECK_FALSE(natural_less("a", ""));
  CHECK(natural_less("a7b", "a07a") != natural_less("a07a", "a7b"));  // the text after decides before the zeros do
  CHECK(natural_less("a07a", "a7b"));
}
