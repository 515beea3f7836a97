#pragma once
// What both daemons do on SIGTERM once they have stopped taking work: wait for
// what is in progress to end by itself, within a budget that fits the pod's
// termination grace period. Polled: the work ends on its own deadlines, and a
// 20 ms poll costs nothing next to them.
#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace netprobe {

// True when `idle()` held before `budget` ran out.
template <typename Idle>
boost::asio::awaitable<bool> drain(boost::asio::any_io_executor executor, Idle idle,
                                   std::chrono::steady_clock::duration budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  boost::asio::steady_timer poll(executor);
  while (!idle()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    poll.expires_after(std::chrono::milliseconds{20});
    co_await poll.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  co_return true;
}

}  // namespace netprobe
