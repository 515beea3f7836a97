#pragma once
// Runs every check on its own interval, each in its own coroutine, so a slow
// check never delays another. A check whose previous run is still in flight
// when the next is due skips that run (counted) instead of stacking up.
#include <cstddef>
#include <functional>
#include <string>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "agent/probers/prober.hpp"
#include "agent/scheduler_clock.hpp"
#include "core/check.hpp"

namespace netprobe {

class Scheduler {
 public:
  using CheckRunner = std::function<boost::asio::awaitable<ProbeResult>(const Check&)>;
  using ResultSink = std::function<void(const ProbeResult&)>;
  using SkipSink = std::function<void(const Check&)>;

  // `run` is run_check in the agent and a scripted stand-in in tests.
  // `spread_seed` (the node name) is mixed into each check's offset in its interval.
  // `clock` is the steady clock in the agent and a manual one in tests; it must
  // outlive the scheduler.
  Scheduler(boost::asio::any_io_executor executor, CheckRunner run, std::string spread_seed, ResultSink on_result,
            SkipSink on_skip, SchedulerClock& clock = steady_clock());
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the running set of checks. Runs in flight finish and report;
  // their checks are simply not scheduled again.
  void start(std::vector<Check> checks);
  // Schedules nothing more; in-flight runs finish on their own deadlines.
  void stop();
  std::size_t in_flight() const;

 private:
  static SchedulerClock& steady_clock();
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace netprobe
