#pragma once
// Per-client token buckets for the ad hoc API (429 beyond the rate). Time is a
// parameter, so the limiter is tested without waiting.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace netprobe {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `per_minute` requests a minute, bursts up to the same number.
  explicit RateLimiter(int per_minute, std::size_t max_clients = 10'000);

  // Takes one token for `client` if it has one.
  bool allow(const std::string& client, Clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  double per_second_;
  double burst_;
  std::size_t max_clients_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace netprobe
