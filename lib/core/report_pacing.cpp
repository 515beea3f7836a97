#include "report_pacing.hpp"

#include <algorithm>

namespace netprobe {

void ReportPacing::start(Clock::time_point now) {
  next_full_ = now;
  partial_at_.reset();
}

void ReportPacing::changed(Clock::time_point now) {
  if (!partial_at_) partial_at_ = now + kChangeDebounce;
}

ReportPacing::Kind ReportPacing::due(Clock::time_point now) const {
  if (now >= next_full_) return Kind::full;
  if (partial_at_ && now >= *partial_at_) return Kind::partial;
  return Kind::none;
}

ReportPacing::Clock::time_point ReportPacing::next_wake() const {
  return partial_at_ ? std::min(*partial_at_, next_full_) : next_full_;
}

void ReportPacing::sent(Kind kind, Clock::time_point now) {
  if (kind == Kind::none) return;
  if (kind == Kind::full) next_full_ = now + interval_;
  partial_at_.reset();  // a full report carries every change too
}

void ReportBackoff::succeeded() {
  delay_ = {};
  next_attempt_ = {};
}

void ReportBackoff::failed(Clock::time_point now) {
  delay_ = delay_ == Clock::duration{} ? Clock::duration{kFirst} : std::min<Clock::duration>(delay_ * 2, kMax);
  next_attempt_ = now + delay_;
}

}  // namespace netprobe
