#include "core/rate_limit.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using std::chrono::seconds;

TEST_CASE("a burst up to the rate, then one token per 60/rate seconds") {
  RateLimiter limiter(60);
  const auto t0 = RateLimiter::Clock::time_point{} + seconds{1000};
  for (int i = 0; i < 60; ++i) CHECK(limiter.allow("10.0.0.1", t0));  // # not-a-destination
  CHECK_FALSE(limiter.allow("10.0.0.1", t0));  // # not-a-destination
  CHECK(limiter.allow("10.0.0.2", t0));  // # not-a-destination: another client has its own bucket
  CHECK(limiter.allow("10.0.0.1", t0 + seconds{1}));  // # not-a-destination
  CHECK_FALSE(limiter.allow("10.0.0.1", t0 + seconds{1}));  // # not-a-destination
}

TEST_CASE("the number of tracked clients is bounded") {
  RateLimiter limiter(1, 2);
  const auto t0 = RateLimiter::Clock::time_point{} + seconds{1000};
  CHECK(limiter.allow("a", t0));
  CHECK(limiter.allow("b", t0));
  CHECK_FALSE(limiter.allow("c", t0));  // both buckets are empty: nothing to evict
  CHECK(limiter.allow("c", t0 + seconds{60}));  // a and b refilled and were dropped
}
