#include "core/log_throttle.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace std::chrono_literals;

TEST_CASE("the first event is logged, then one per interval with the count left out") {
  LogThrottle throttle(60s);
  const LogThrottle::Clock::time_point start{};
  CHECK(throttle.admit(start) == std::optional<std::size_t>{0});
  CHECK_FALSE(throttle.admit(start + 1s).has_value());
  CHECK_FALSE(throttle.admit(start + 59s).has_value());
  CHECK(throttle.admit(start + 60s) == std::optional<std::size_t>{2});
  CHECK_FALSE(throttle.admit(start + 61s).has_value());
  CHECK(throttle.admit(start + 10min) == std::optional<std::size_t>{1});
}
