#pragma once
// When an agent reports, as pure decisions over injected time (the reporter
// in agent/ only sends): a full report every interval; an early, partial one
// kChangeDebounce after the first outcome change since the last report, so
// changes seen together go together and a controller sees a failure within a
// second; and per controller a backoff after failures, during which that
// controller gets only the full reports (the load it takes when healthy, and
// a restarted controller is whole again within one interval).
#include <chrono>
#include <optional>

#include "duration.hpp"

namespace netprobe {

class ReportPacing {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Millis kChangeDebounce{200};

  enum class Kind { none, full, partial };

  explicit ReportPacing(Millis interval) : interval_(interval) {}

  void set_interval(Millis interval) { interval_ = interval; }
  void start(Clock::time_point now);    // the first full report is due at once
  void changed(Clock::time_point now);  // an outcome changed: an early report is due soon
  Kind due(Clock::time_point now) const;
  Clock::time_point next_wake() const;  // when due() says something next, barring changes
  void sent(Kind kind, Clock::time_point now);

 private:
  Millis interval_;
  Clock::time_point next_full_{};
  std::optional<Clock::time_point> partial_at_;
};

class ReportBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Millis kFirst{1'000};
  static constexpr Millis kMax{30'000};

  // Whether an early (partial) report is held back; full ones always go.
  bool holds_back(Clock::time_point now) const { return now < next_attempt_; }
  void succeeded();
  void failed(Clock::time_point now);  // 1 s, doubling to 30 s
  Clock::duration delay() const { return delay_; }

 private:
  Clock::duration delay_{};
  Clock::time_point next_attempt_{};
};

}  // namespace netprobe
