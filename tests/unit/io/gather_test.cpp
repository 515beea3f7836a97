#include "io/gather.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

using namespace netprobe;
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<std::string> after(std::chrono::milliseconds delay, std::string value) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(use_tuple);
  co_return value;
}

// Waits far longer than any test may run; says how its wait ended.
asio::awaitable<std::string> long_wait() {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::minutes{10});
  auto [error] = co_await timer.async_wait(use_tuple);
  co_return error == asio::error::operation_aborted ? "cancelled" : "expired";
}

asio::awaitable<std::string> throws() {
  co_await after(std::chrono::milliseconds{1}, "");
  throw std::runtime_error("task failed");
}

}  // namespace

TEST_CASE("gather: results in the order of the tasks, whichever finishes first") {
  asio::io_context io;
  std::vector<std::string> results;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<asio::awaitable<std::string>> tasks;
        tasks.push_back(after(std::chrono::milliseconds{30}, "slow"));
        tasks.push_back(after(std::chrono::milliseconds{1}, "fast"));
        tasks.push_back(throws());
        results = co_await gather(std::move(tasks));
      },
      asio::detached);
  io.run();
  CHECK(results == std::vector<std::string>{"slow", "fast", ""});  // a task that threw leaves a default value
}

TEST_CASE("gather: no tasks, no wait") {
  asio::io_context io;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto results = co_await gather(std::vector<asio::awaitable<int>>{});
        done = results.empty();
      },
      asio::detached);
  io.run();
  CHECK(done);
}

TEST_CASE("gather: cancelling the caller cancels every task still running, and waits for them all") {
  asio::io_context io;
  asio::cancellation_signal cancel;
  std::vector<std::string> results;
  bool returned = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<asio::awaitable<std::string>> tasks;
        tasks.push_back(after(std::chrono::milliseconds{1}, "finished before"));
        tasks.push_back(long_wait());
        tasks.push_back(long_wait());
        results = co_await gather(std::move(tasks));
        returned = true;
      },
      asio::bind_cancellation_slot(cancel.slot(), asio::detached));
  // Cancel once the first task has finished and the others are waiting.
  asio::steady_timer later(io, std::chrono::milliseconds{20});
  later.async_wait([&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  io.run_for(std::chrono::seconds{20});  // returns early only when nothing is left running
  CHECK(returned);
  CHECK(results == std::vector<std::string>{"finished before", "cancelled", "cancelled"});
}

TEST_CASE("gather: at its deadline, the tasks still running are cancelled and waited for") {
  asio::io_context io;
  std::vector<std::string> results;
  std::chrono::steady_clock::duration took{};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<asio::awaitable<std::string>> tasks;
        tasks.push_back(after(std::chrono::milliseconds{1}, "in time"));
        tasks.push_back(long_wait());
        const auto start = std::chrono::steady_clock::now();
        results = co_await gather(std::move(tasks), start + std::chrono::milliseconds{30});
        took = std::chrono::steady_clock::now() - start;
      },
      asio::detached);
  io.run_for(std::chrono::seconds{20});  // returns early only when nothing is left running
  CHECK(results == std::vector<std::string>{"in time", "cancelled"});
  CHECK(took >= std::chrono::milliseconds{30});
  CHECK(took < std::chrono::seconds{10});
}

TEST_CASE("gather: a deadline that is not reached changes nothing") {
  asio::io_context io;
  std::vector<std::string> results;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<asio::awaitable<std::string>> tasks;
        tasks.push_back(after(std::chrono::milliseconds{5}, "a"));
        tasks.push_back(after(std::chrono::milliseconds{1}, "b"));
        results = co_await gather(std::move(tasks), std::chrono::steady_clock::now() + std::chrono::minutes{10});
      },
      asio::detached);
  io.run_for(std::chrono::seconds{20});
  CHECK(results == std::vector<std::string>{"a", "b"});
}
