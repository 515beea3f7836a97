#include "core/check_key.hpp"

#include <doctest/doctest.h>

#include <set>
#include <unordered_set>

#include "core/result.hpp"

using namespace netprobe;

TEST_CASE("check keys order by probe, then target, then transport") {
  const std::set<CheckKey> keys{{"dns", "10.0.0.10:53", "udp"}, {"dns", "10.0.0.10:53", "tcp"}, {"api", "b:1", "tcp"}};  // # not-a-destination
  std::vector<CheckKey> ordered(keys.begin(), keys.end());
  CHECK(ordered[0].probe == "api");
  CHECK(ordered[1].transport == "tcp");
  CHECK(ordered[2].transport == "udp");
}

TEST_CASE("check keys that differ only in where a string is cut are different keys") {
  const CheckKey left{"ab", "c", "tcp"};
  const CheckKey right{"a", "bc", "tcp"};
  CHECK(left != right);
  const std::unordered_set<CheckKey, CheckKeyHash> set{left, right};
  CHECK(set.size() == 2);
  CHECK(CheckKeyHash{}(left) != CheckKeyHash{}(right));
}

TEST_CASE("a result's key is its probe, target and transport") {
  ProbeResult result;
  result.probe = "scrape";
  result.target = "10.0.1.5:9090";  // # not-a-destination
  result.transport = "tcp";
  result.node = "n1";  // not part of the key
  CHECK(key_of(result) == CheckKey{"scrape", "10.0.1.5:9090", "tcp"});  // # not-a-destination
}
