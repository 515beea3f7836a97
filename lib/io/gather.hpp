#pragma once
// Runs awaitables concurrently on the caller's executor and returns their
// results in order once all are done. Each task bounds its own time (every
// I/O here carries a deadline), so gather needs none of its own.
#include <cstddef>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace netprobe {

template <typename T>
boost::asio::awaitable<std::vector<T>> gather(std::vector<boost::asio::awaitable<T>> tasks) {
  namespace asio = boost::asio;
  struct State {
    explicit State(asio::any_io_executor executor, std::size_t count)
        : results(count), remaining(count), done(executor, asio::steady_timer::time_point::max()) {}
    std::vector<T> results;
    std::size_t remaining;
    asio::steady_timer done;  // cancelled by the last task to finish
  };
  auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<State>(executor, tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(executor, std::move(tasks[i]), [state, i](std::exception_ptr error, T result) {
      if (!error) state->results[i] = std::move(result);
      if (--state->remaining == 0) state->done.cancel();
    });
  }
  while (state->remaining > 0) co_await state->done.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return std::move(state->results);
}

}  // namespace netprobe
