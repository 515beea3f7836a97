#include "run_checks.hpp"

#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace netprobe {
namespace {

namespace asio = boost::asio;

struct Batch {
  explicit Batch(std::vector<Check> checks_in, const asio::any_io_executor& executor)
      : checks(std::move(checks_in)), results(checks.size()), remaining(checks.size()), all_done(executor) {}
  std::vector<Check> checks;
  std::vector<ProbeResult> results;
  std::size_t remaining;
  asio::steady_timer all_done;  // cancelled by the last check to finish
};

}  // namespace

asio::awaitable<std::vector<ProbeResult>> run_checks(std::vector<Check> checks, ProbeEnv& env,
                                                     const Identity& identity) {
  auto executor = co_await asio::this_coro::executor;
  auto batch = std::make_shared<Batch>(std::move(checks), executor);
  if (batch->remaining == 0) co_return std::vector<ProbeResult>{};
  for (std::size_t i = 0; i < batch->checks.size(); ++i) {
    asio::co_spawn(
        executor,
        [batch, i, &env, &identity]() -> asio::awaitable<void> {
          batch->results[i] = co_await run_check(batch->checks[i], env, identity);
          if (--batch->remaining == 0) batch->all_done.cancel();
        },
        asio::detached);
  }
  // Probers bound themselves by their timeouts; this only waits for the last one.
  batch->all_done.expires_at(asio::steady_timer::time_point::max());
  while (batch->remaining > 0) co_await batch->all_done.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return std::move(batch->results);
}

std::vector<ProbeResult> run_checks_blocking(std::vector<Check> checks, ProbeEnv& env, const Identity& identity) {
  asio::io_context io(1);
  std::vector<ProbeResult> results;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> { results = co_await run_checks(std::move(checks), env, identity); },
      asio::detached);
  io.run();
  return results;
}

}  // namespace netprobe
