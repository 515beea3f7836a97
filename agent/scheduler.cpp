#include "scheduler.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "core/schedule.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;

struct ScheduledCheck {
  ScheduledCheck(Check check_in, std::unique_ptr<SchedulerClock::Timer> timer_in)
      : check(std::move(check_in)), timer(std::move(timer_in)) {}
  Check check;
  std::unique_ptr<SchedulerClock::Timer> timer;
  bool running = false;
  bool cancelled = false;
};

}  // namespace

struct Scheduler::State : std::enable_shared_from_this<Scheduler::State> {
  State(asio::any_io_executor executor_in, CheckRunner run_in, std::string spread_seed_in, ResultSink on_result_in,
        SkipSink on_skip_in, SchedulerClock& clock_in)
      : executor(std::move(executor_in)),
        run(std::move(run_in)),
        spread_seed(std::move(spread_seed_in)),
        on_result(std::move(on_result_in)),
        on_skip(std::move(on_skip_in)),
        clock(clock_in) {}

  asio::any_io_executor executor;
  CheckRunner run;
  std::string spread_seed;
  ResultSink on_result;
  SkipSink on_skip;
  SchedulerClock& clock;
  std::vector<std::shared_ptr<ScheduledCheck>> checks;
  std::size_t in_flight = 0;

  void cancel_all() {
    for (auto& scheduled : checks) {
      scheduled->cancelled = true;
      scheduled->timer->cancel();
    }
    checks.clear();
  }

  asio::awaitable<void> run_once(std::shared_ptr<ScheduledCheck> scheduled) {
    auto self = shared_from_this();
    ProbeResult result = co_await run(scheduled->check);
    scheduled->running = false;
    --in_flight;
    on_result(result);
  }

  asio::awaitable<void> loop(std::shared_ptr<ScheduledCheck> scheduled) {
    auto self = shared_from_this();
    const ProbeSpec& spec = *scheduled->check.probe;
    auto next = clock.now() + spread_offset(spread_seed, key_of(scheduled->check), spec.interval);
    while (!scheduled->cancelled) {
      co_await scheduled->timer->wait_until(next);
      if (scheduled->cancelled) break;
      if (scheduled->running) {
        on_skip(scheduled->check);
      } else {
        scheduled->running = true;
        ++in_flight;
        asio::co_spawn(executor, run_once(scheduled), asio::detached);
      }
      next = next_slot(next, spec.interval, clock.now());
    }
  }
};

Scheduler::Scheduler(asio::any_io_executor executor, CheckRunner run, std::string spread_seed, ResultSink on_result,
                     SkipSink on_skip, SchedulerClock& clock)
    : state_(std::make_shared<State>(std::move(executor), std::move(run), std::move(spread_seed),
                                     std::move(on_result), std::move(on_skip), clock)) {}

SchedulerClock& Scheduler::steady_clock() {
  static SteadySchedulerClock clock;
  return clock;
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start(std::vector<Check> checks) {
  state_->cancel_all();
  for (Check& check : checks) {
    auto scheduled = std::make_shared<ScheduledCheck>(std::move(check), state_->clock.make_timer(state_->executor));
    state_->checks.push_back(scheduled);
    asio::co_spawn(state_->executor, state_->loop(scheduled), asio::detached);
  }
}

void Scheduler::stop() { state_->cancel_all(); }

std::size_t Scheduler::in_flight() const { return state_->in_flight; }

}  // namespace netprobe
