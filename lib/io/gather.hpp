#pragma once
// Runs awaitables concurrently on the caller's executor and returns their
// results in order once all are done.
//
// Time: every I/O here carries its own deadline, so tasks normally end by
// themselves. The optional `deadline` is the caller's guarantee on top of
// that: when it passes, every task still running is cancelled, as if the
// caller had been, so one task that forgets its bound cannot hold the rest.
//
// Cancelling the caller (its client hung up: HttpServer races every handler
// against that) cancels every task still running, and gather still waits for
// all of them, so nothing a task refers to is gone while it unwinds. A task
// that ends in an exception, cancelled or not, leaves a default T.
// Single-threaded executors only (as every daemon here runs).
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace netprobe {

template <typename T>
boost::asio::awaitable<std::vector<T>> gather(
    std::vector<boost::asio::awaitable<T>> tasks,
    std::optional<boost::asio::steady_timer::time_point> deadline = std::nullopt) {
  namespace asio = boost::asio;
  using GatherTime = asio::steady_timer::time_point;
  struct State {
    State(const asio::any_io_executor& executor, std::size_t count, GatherTime deadline)
        : results(count), cancels(count), remaining(count), done(executor, deadline) {}
    std::vector<T> results;
    std::vector<asio::cancellation_signal> cancels;  // one per task, never moved
    std::size_t remaining;
    asio::steady_timer done;  // expires at the deadline; cancelled by the last task to finish
  };
  auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<State>(executor, tasks.size(), deadline.value_or(GatherTime::max()));
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(executor, std::move(tasks[i]),
                   asio::bind_cancellation_slot(state->cancels[i].slot(), [state, i](std::exception_ptr error, T result) {
                     if (!error) state->results[i] = std::move(result);
                     if (--state->remaining == 0) state->done.cancel();
                   }));
  }
  // Waiting on after a cancellation must not throw: the tasks still hold
  // references into what our caller owns.
  const bool throw_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  bool forwarded = false;
  while (state->remaining > 0) {
    auto [woken] = co_await state->done.async_wait(asio::as_tuple(asio::use_awaitable));
    const bool deadline_passed = !woken;  // the timer expired rather than being cancelled
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    const bool caller_cancelled = cancellation.cancelled() != asio::cancellation_type::none;
    if (!forwarded && (deadline_passed || caller_cancelled)) {
      forwarded = true;
      state->done.expires_at(GatherTime::max());  // from here on, only the last task wakes us
      for (asio::cancellation_signal& cancel : state->cancels) cancel.emit(asio::cancellation_type::terminal);
    }
  }
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  co_return std::move(state->results);
}

}  // namespace netprobe
