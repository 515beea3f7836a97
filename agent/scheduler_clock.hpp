#pragma once
// Time as the scheduler sees it, injected so the scheduler's tests can step a
// manual clock instead of waiting for real timers (Kea's injected time). The
// agent uses SteadySchedulerClock: Asio steady timers.
#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace netprobe {

class SchedulerClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // One check's timer: a wait that cancel() ends early.
  class Timer {
   public:
    virtual ~Timer() = default;
    // Completes at `when` (at once when it has passed), or when cancel() is called.
    virtual boost::asio::awaitable<void> wait_until(time_point when) = 0;
    virtual void cancel() = 0;
  };

  virtual ~SchedulerClock() = default;
  virtual time_point now() const = 0;
  virtual std::unique_ptr<Timer> make_timer(const boost::asio::any_io_executor& executor) = 0;
};

class SteadySchedulerClock final : public SchedulerClock {
 public:
  time_point now() const override;
  std::unique_ptr<Timer> make_timer(const boost::asio::any_io_executor& executor) override;
};

}  // namespace netprobe
