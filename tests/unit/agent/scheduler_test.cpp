// The scheduler on a real io_context with a scripted check runner: no sockets,
// but real timers, so the assertions are about counts, not exact timings.
#include "agent/scheduler.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>

using namespace netprobe;

namespace {

std::shared_ptr<const ProbeSpec> probe(const std::string& name, Millis interval) {
  auto spec = std::make_shared<ProbeSpec>();
  spec->name = name;
  spec->interval = interval;
  spec->timeout = interval;
  spec->params = TcpSpec{{"127.0.0.1", 1}};
  return spec;
}

Check check_of(std::shared_ptr<const ProbeSpec> spec) { return Check{std::move(spec), "t", "tcp", {}, {}}; }

}  // namespace

TEST_CASE("a slow check is skipped, not stacked, and never delays a fast one") {
  boost::asio::io_context io;
  std::map<std::string, int> started, finished, skipped;
  const Millis interval{50};

  // "slow" takes 4 intervals per run; "fast" returns at once.
  Scheduler::CheckRunner runner = [&](const Check& check) -> boost::asio::awaitable<ProbeResult> {
    ++started[check.probe->name];
    if (check.probe->name == "slow") {
      boost::asio::steady_timer wait(io, interval * 4);
      co_await wait.async_wait(boost::asio::use_awaitable);
    }
    ProbeResult result;
    result.probe = check.probe->name;
    co_return result;
  };
  Scheduler scheduler(
      io.get_executor(), runner, "node-a", [&](const ProbeResult& result) { ++finished[result.probe]; },
      [&](const Check& check) { ++skipped[check.probe->name]; });
  scheduler.start({check_of(probe("slow", interval)), check_of(probe("fast", interval))});

  io.run_for(std::chrono::milliseconds{1000});  // ~20 intervals
  scheduler.stop();
  io.run_for(std::chrono::milliseconds{300});  // let the in-flight slow run finish

  CHECK(started["fast"] >= 12);  // ran on (almost) every interval despite "slow"
  CHECK(started["slow"] <= 6);   // one run per 4+ intervals: never two at once
  CHECK(skipped["slow"] >= 10);  // the due-but-busy runs were counted
  CHECK(skipped["fast"] == 0);
  CHECK(finished["slow"] == started["slow"]);
  CHECK(scheduler.in_flight() == 0);
}

TEST_CASE("start() replaces the running set") {
  boost::asio::io_context io;
  std::map<std::string, int> runs;
  Scheduler::CheckRunner runner = [&](const Check& check) -> boost::asio::awaitable<ProbeResult> {
    ++runs[check.probe->name];
    co_return ProbeResult{};
  };
  Scheduler scheduler(io.get_executor(), runner, "node-a", [](const ProbeResult&) {}, [](const Check&) {});
  scheduler.start({check_of(probe("old", Millis{20}))});
  io.run_for(std::chrono::milliseconds{200});
  const int old_runs = runs["old"];
  CHECK(old_runs >= 3);
  scheduler.start({check_of(probe("new", Millis{20}))});
  io.run_for(std::chrono::milliseconds{200});
  CHECK(runs["old"] == old_runs);
  CHECK(runs["new"] >= 3);
  scheduler.stop();
}
