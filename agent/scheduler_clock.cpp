#include "agent/scheduler_clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace netprobe {
namespace {

namespace asio = boost::asio;

class SteadyTimer final : public SchedulerClock::Timer {
 public:
  explicit SteadyTimer(const asio::any_io_executor& executor) : timer_(executor) {}

  asio::awaitable<void> wait_until(SchedulerClock::time_point when) override {
    timer_.expires_at(when);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled: the caller checks why
  }
  void cancel() override { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace

SchedulerClock::time_point SteadySchedulerClock::now() const { return std::chrono::steady_clock::now(); }

std::unique_ptr<SchedulerClock::Timer> SteadySchedulerClock::make_timer(const asio::any_io_executor& executor) {
  return std::make_unique<SteadyTimer>(executor);
}

}  // namespace netprobe
