#include "run_checks.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "io/gather.hpp"

namespace netprobe {

namespace asio = boost::asio;

asio::awaitable<std::vector<ProbeResult>> run_checks(std::vector<Check> checks, ProbeEnv& env,
                                                     const Identity& identity) {
  // Probers bound themselves by their timeouts; gather waits for the last one
  // and passes on a cancellation (the one-shot's client left) to every prober.
  std::vector<asio::awaitable<ProbeResult>> runs;
  runs.reserve(checks.size());
  for (const Check& check : checks) runs.push_back(run_check(check, env, identity));
  co_return co_await gather(std::move(runs));
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
