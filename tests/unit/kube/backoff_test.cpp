#include "kube/backoff.hpp"

#include <doctest/doctest.h>

using namespace netprobe::kube;
using std::chrono::milliseconds;

TEST_CASE("backoff doubles from about 1 s to 30 s, jittered, and starts over after a reset") {
  std::mt19937_64 random(7);
  Backoff backoff;
  milliseconds base{1000};
  for (int attempt = 0; attempt < 10; ++attempt) {
    const milliseconds wait = backoff.next(random);
    CHECK(wait >= base);
    CHECK(wait <= std::min(base * 3 / 2, Backoff::kMost));
    base = std::min(base * 2, Backoff::kMost);
  }
  backoff.reset();
  CHECK(backoff.next(random) < milliseconds{1500});
}

TEST_CASE("the jitter spreads retries that failed together") {
  std::mt19937_64 first(1), second(2);
  Backoff a, b;
  int different = 0;
  for (int i = 0; i < 4; ++i) different += a.next(first) != b.next(second);
  CHECK(different >= 3);
}
