// The scheduler with a scripted check runner and a manual clock (injected time):
// no sockets and no real waiting, so every count below is exact. Time moves
// only in advance() and jump(), which run everything that falls due, in order.
#include "agent/scheduler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/schedule.hpp"

using namespace netprobe;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

class ManualClock final : public SchedulerClock {
 public:
  class ManualTimer final : public Timer {
   public:
    ManualTimer(ManualClock& clock, const asio::any_io_executor& executor) : clock_(clock), wake_(executor) {
      clock_.timers_.push_back(this);
    }
    ~ManualTimer() override { std::erase(clock_.timers_, this); }

    asio::awaitable<void> wait_until(time_point when) override {
      if (when <= clock_.now()) co_return;
      due_ = when;
      wake_.expires_at(asio::steady_timer::time_point::max());  // only wake() or cancel() end it
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    void cancel() override { wake(); }
    void wake() {
      due_.reset();
      wake_.cancel();
    }
    const std::optional<time_point>& due() const { return due_; }

   private:
    ManualClock& clock_;
    asio::steady_timer wake_;  // never expires on its own: a signal, not a clock
    std::optional<time_point> due_;
  };

  // The io_context the scheduler under test runs on. The clock owns it so that
  // coroutine frames, destroyed with it, still find the clock alive.
  asio::io_context& io() { return io_; }

  time_point now() const override { return now_; }
  std::unique_ptr<Timer> make_timer(const asio::any_io_executor& executor) override {
    return std::make_unique<ManualTimer>(*this, executor);
  }

  // Time passes by `by`, stopping at every moment something is due.
  void advance(std::chrono::milliseconds by) {
    const time_point end = now_ + by;
    run_ready();
    while (const auto next = earliest_due()) {
      if (*next > end) break;
      now_ = *next;
      wake_due();
    }
    now_ = end;
    run_ready();
  }

  // A stall (a suspended process): time leaps by `by`, then what is due runs once.
  void jump(std::chrono::milliseconds by) {
    now_ += by;
    wake_due();
  }

  // Starts at an arbitrary point, as steady_clock does.
  time_point start() const { return time_point{} + 1000h; }

 private:
  std::optional<time_point> earliest_due() const {
    std::optional<time_point> earliest;
    for (const ManualTimer* timer : timers_) {
      if (timer->due() && (!earliest || *timer->due() < *earliest)) earliest = timer->due();
    }
    return earliest;
  }
  void wake_due() {
    for (ManualTimer* timer : std::vector<ManualTimer*>(timers_)) {
      if (timer->due() && *timer->due() <= now_) timer->wake();
    }
    run_ready();
  }
  void run_ready() {
    io_.restart();
    io_.poll();
  }

  time_point now_ = start();
  std::vector<ManualTimer*> timers_;
  asio::io_context io_;  // last: destroyed first, while timers_ is still there
};

constexpr Millis kInterval{1'000};

std::shared_ptr<const ProbeSpec> probe(const std::string& name) {
  auto spec = std::make_shared<ProbeSpec>();
  spec->name = name;
  spec->interval = kInterval;
  spec->timeout = kInterval;
  spec->params = TcpSpec{{"127.0.0.1", 1}};
  return spec;
}

Check check_of(const std::string& name) { return Check{probe(name), "t", "tcp", {}, {}, nullptr}; }

// Where in its interval a check on node-a first runs (the scheduler's own rule).
Millis offset_of(const std::string& name) { return spread_offset("node-a", CheckKey{name, "t", "tcp"}, kInterval); }

// Runs due at offset + k × interval within [0, span].
int runs_within(Millis offset, Millis span) { return offset > span ? 0 : static_cast<int>((span - offset) / kInterval) + 1; }

ProbeResult result_of(const Check& check) {
  ProbeResult result;
  result.probe = check.probe->name;
  return result;
}

// A check runner that returns at once and counts the runs of each probe.
Scheduler::CheckRunner counting_runner(std::map<std::string, int>& runs) {
  return [&runs](const Check& check) -> asio::awaitable<ProbeResult> {
    ++runs[check.probe->name];
    co_return result_of(check);
  };
}

}  // namespace

TEST_CASE("every check runs once per interval at its spread offset") {
  ManualClock clock;
  asio::io_context& io = clock.io();
  std::map<std::string, int> runs;
  const Scheduler::CheckRunner runner = counting_runner(runs);
  Scheduler scheduler(io.get_executor(), runner, "node-a", [](const ProbeResult&) {}, [](const Check&) {}, clock);
  scheduler.start({check_of("a"), check_of("b"), check_of("c")});
  clock.advance(9'500ms);
  for (const std::string name : {"a", "b", "c"}) {
    CAPTURE(name);
    CHECK(runs[name] == runs_within(offset_of(name), Millis{9'500}));
  }
}

TEST_CASE("a slow check is skipped, not stacked, and never delays a fast one") {
  ManualClock clock;
  asio::io_context& io = clock.io();
  std::map<std::string, int> started, finished, skipped;
  // "slow" takes 3.5 intervals per run; "fast" returns at once.
  Scheduler::CheckRunner runner = [&](const Check& check) -> asio::awaitable<ProbeResult> {
    ++started[check.probe->name];
    if (check.probe->name == "slow") {
      const auto busy = clock.make_timer(io.get_executor());
      co_await busy->wait_until(clock.now() + 3'500ms);
    }
    co_return result_of(check);
  };
  Scheduler scheduler(
      io.get_executor(), runner, "node-a", [&](const ProbeResult& result) { ++finished[result.probe]; },
      [&](const Check& check) { ++skipped[check.probe->name]; }, clock);
  scheduler.start({check_of("slow"), check_of("fast")});
  clock.advance(20'000ms);

  CHECK(started["fast"] == runs_within(offset_of("fast"), Millis{20'000}));
  CHECK(skipped["fast"] == 0);
  // slow runs every 4th slot (one run in flight at a time); the 3 slots between are skipped.
  const int slots = runs_within(offset_of("slow"), Millis{20'000});
  CHECK(started["slow"] == (slots + 3) / 4);
  CHECK(skipped["slow"] == slots - started["slow"]);
  const Millis last_start = offset_of("slow") + kInterval * (4 * ((slots - 1) / 4));
  CHECK(scheduler.in_flight() == (last_start + Millis{3'500} > Millis{20'000} ? 1u : 0u));

  scheduler.stop();
  clock.advance(4'000ms);  // the in-flight run finishes and reports; nothing new starts
  CHECK(finished["slow"] == started["slow"]);
  CHECK(scheduler.in_flight() == 0);
  CHECK(started["fast"] == runs_within(offset_of("fast"), Millis{20'000}));
}

TEST_CASE("start() replaces the running set") {
  ManualClock clock;
  asio::io_context& io = clock.io();
  std::map<std::string, int> runs;
  const Scheduler::CheckRunner runner = counting_runner(runs);
  Scheduler scheduler(io.get_executor(), runner, "node-a", [](const ProbeResult&) {}, [](const Check&) {}, clock);
  scheduler.start({check_of("old")});
  clock.advance(5'000ms);
  CHECK(runs["old"] == runs_within(offset_of("old"), Millis{5'000}));
  scheduler.start({check_of("new")});
  clock.advance(5'000ms);
  CHECK(runs["old"] == runs_within(offset_of("old"), Millis{5'000}));
  CHECK(runs["new"] == runs_within(offset_of("new"), Millis{5'000}));
}

TEST_CASE("after a stall the missed slots are skipped, not fired all at once") {
  ManualClock clock;
  asio::io_context& io = clock.io();
  std::map<std::string, int> runs;
  const Scheduler::CheckRunner runner = counting_runner(runs);
  Scheduler scheduler(io.get_executor(), runner, "node-a", [](const ProbeResult&) {}, [](const Check&) {}, clock);
  scheduler.start({check_of("a")});
  clock.advance(kInterval);  // the first run is in
  const int before = runs["a"];
  REQUIRE(before == runs_within(offset_of("a"), kInterval));
  clock.jump(10'000ms);  // ten slots pass while the process is suspended
  CHECK(runs["a"] == before + 1);
  // and the rhythm resumes: one run per interval from here
  clock.advance(3'000ms);
  CHECK(runs["a"] == before + 1 + 3);
}
