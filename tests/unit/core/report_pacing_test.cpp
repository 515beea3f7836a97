#include "core/report_pacing.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using namespace std::chrono_literals;
using Kind = ReportPacing::Kind;

namespace {
const ReportPacing::Clock::time_point t0{std::chrono::hours{1}};
}

TEST_CASE("a full report is due at start and every interval after it was sent") {
  ReportPacing pacing(Millis{10'000});
  pacing.start(t0);
  CHECK(pacing.due(t0) == Kind::full);
  pacing.sent(Kind::full, t0);
  CHECK(pacing.due(t0 + 9s) == Kind::none);
  CHECK(pacing.next_wake() == t0 + 10s);
  CHECK(pacing.due(t0 + 10s) == Kind::full);
}

TEST_CASE("changes seen together go in one partial report, 200 ms after the first") {
  ReportPacing pacing(Millis{10'000});
  pacing.start(t0);
  pacing.sent(Kind::full, t0);
  pacing.changed(t0 + 1s);
  pacing.changed(t0 + 1s + 150ms);  // does not push the report back
  CHECK(pacing.next_wake() == t0 + 1s + 200ms);
  CHECK(pacing.due(t0 + 1s + 199ms) == Kind::none);
  CHECK(pacing.due(t0 + 1s + 200ms) == Kind::partial);
  pacing.sent(Kind::partial, t0 + 1s + 200ms);
  CHECK(pacing.due(t0 + 2s) == Kind::none);
  CHECK(pacing.next_wake() == t0 + 10s);  // the full schedule is untouched
}

TEST_CASE("a full report due takes the pending changes with it") {
  ReportPacing pacing(Millis{1'000});
  pacing.start(t0);
  pacing.sent(Kind::full, t0);
  pacing.changed(t0 + 900ms);
  CHECK(pacing.due(t0 + 1s + 100ms) == Kind::full);
  pacing.sent(Kind::full, t0 + 1s + 100ms);
  CHECK(pacing.due(t0 + 1s + 200ms) == Kind::none);
}

TEST_CASE("a failing controller backs off 1 s doubling to 30 s; a success resets it") {
  ReportBackoff backoff;
  CHECK_FALSE(backoff.holds_back(t0));
  backoff.failed(t0);
  CHECK(backoff.holds_back(t0 + 999ms));
  CHECK_FALSE(backoff.holds_back(t0 + 1s));
  for (int i = 0; i < 10; ++i) backoff.failed(t0);
  CHECK(backoff.delay() == std::chrono::seconds{30});
  backoff.succeeded();
  CHECK(backoff.delay() == ReportBackoff::Clock::duration{});
  CHECK_FALSE(backoff.holds_back(t0));
}
