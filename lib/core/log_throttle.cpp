#include "log_throttle.hpp"

namespace netprobe {

std::optional<std::size_t> LogThrottle::admit(Clock::time_point now) {
  if (last_logged_ && now - *last_logged_ < interval_) {
    ++suppressed_;
    return std::nullopt;
  }
  last_logged_ = now;
  const std::size_t left_out = suppressed_;
  suppressed_ = 0;
  return left_out;
}

}  // namespace netprobe
