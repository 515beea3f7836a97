#pragma once
// Logs a recurring event at most once per interval, with the count of the
// times it was left out, so a client hammering a bad token or an accept loop
// out of descriptors cannot flood the log (or the disk behind it). Time is a
// parameter, so the throttle is tested without waiting.
#include <chrono>
#include <cstddef>
#include <optional>

namespace netprobe {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // An event happened: the number of events left out since the last one
  // logged when this one should be logged, nullopt when it should not.
  std::optional<std::size_t> admit(Clock::time_point now);

 private:
  Clock::duration interval_;
  std::optional<Clock::time_point> last_logged_;
  std::size_t suppressed_ = 0;
};

}  // namespace netprobe
