#pragma once
// How long a reflector waits after a failure: doubling from 1 s to 30 s, each
// wait stretched by a random 0-50 % so that a thousand controllers (or one
// controller's nine reflectors) that failed together do not retry together.
// The random source is the caller's, so tests are repeatable.
#include <chrono>
#include <random>

namespace netprobe::kube {

class Backoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{1000};
  static constexpr std::chrono::milliseconds kMost{30'000};

  // The wait before the next attempt; each call doubles the one after.
  std::chrono::milliseconds next(std::mt19937_64& random);
  // After a success: the next failure waits kFirst again.
  void reset() { base_ = kFirst; }

 private:
  std::chrono::milliseconds base_ = kFirst;
};

}  // namespace netprobe::kube
