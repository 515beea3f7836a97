#include "core/duration.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using std::chrono::milliseconds;

TEST_CASE("durations in Prometheus notation") {
  CHECK(parse_duration("500ms") == milliseconds{500});
  CHECK(parse_duration("10s") == milliseconds{10'000});
  CHECK(parse_duration("1.5s") == milliseconds{1'500});
  CHECK(parse_duration("1m30s") == milliseconds{90'000});
  CHECK(parse_duration("2h") == milliseconds{7'200'000});
  CHECK(parse_duration("0") == milliseconds{0});
  CHECK(parse_duration("0s") == milliseconds{0});
}

TEST_CASE("malformed durations are rejected") {
  for (const char* bad : {"", "10", "s", "-1s", "1.s", ".5s", "1x", "10 s", "1.0001s", "1sm",
                          "99999999999999999999h"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("formatting reads back") {
  CHECK(format_duration(milliseconds{2000}) == "2s");
  CHECK(format_duration(milliseconds{1500}) == "1.5s");
  CHECK(format_duration(milliseconds{250}) == "250ms");
  CHECK(format_duration(milliseconds{60'000}) == "1m");
  CHECK(format_duration(milliseconds{0}) == "0s");
  for (long ms : {1L, 999L, 1001L, 61'000L, 3'600'000L, 12'345L}) {
    CHECK(parse_duration(format_duration(milliseconds{ms})) == milliseconds{ms});
  }
}

TEST_CASE("ages for people: two largest units, whole seconds") {
  CHECK(format_age(milliseconds{0}) == "0s");
  CHECK(format_age(milliseconds{999}) == "0s");
  CHECK(format_age(milliseconds{45'900}) == "45s");
  CHECK(format_age(milliseconds{192'000}) == "3m12s");
  CHECK(format_age(milliseconds{180'000}) == "3m");
  CHECK(format_age(milliseconds{2 * 3'600'000 + 5 * 60'000 + 59'000}) == "2h5m");  // the seconds go
  CHECK(format_age(milliseconds{3 * 86'400'000L + 4 * 3'600'000}) == "3d4h");
  CHECK(format_age(milliseconds{-5'000}) == "0s");  // a clock stepped back
}
