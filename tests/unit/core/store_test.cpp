#include "core/store.hpp"

#include <doctest/doctest.h>

using namespace netprobe;
using std::chrono::seconds;

namespace {

const TimePoint t0{seconds{1795687200}};

ProbeResult result(const std::string& probe, Outcome outcome, TimePoint time, Expect expect = Expect::allow) {
  ProbeResult r;
  r.probe = probe;
  r.type = ProbeType::dns;
  r.target = "10.96.0.10:53";  // # not-a-destination
  r.transport = "udp";
  r.expect = expect;
  r.outcome = outcome;
  r.success = verdict(expect, outcome);
  r.time = time;
  return r;
}

AgentReport report(const std::string& node, std::vector<ProbeResult> results, bool full = true) {
  AgentReport r;
  r.node = node;
  r.ns = "monitoring";
  r.address = "127.0.0.1:9743";
  r.interval = Millis{10'000};
  r.full = full;
  r.results = std::move(results);
  return r;
}

}  // namespace

TEST_CASE("targets count nodes by outcome and list the failing ones") {
  Store store;
  store.apply(report("node-a", {result("kube-dns", Outcome::ok, t0)}), t0);
  store.apply(report("node-b", {result("kube-dns", Outcome::timeout, t0)}), t0);
  store.apply(report("node-c", {result("kube-dns", Outcome::timeout, t0)}), t0);
  const auto targets = store.targets(t0);
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].nodes == 3);
  CHECK(targets[0].nodes_by_outcome.at(Outcome::ok) == 1);
  CHECK(targets[0].nodes_by_outcome.at(Outcome::timeout) == 2);
  REQUIRE(targets[0].failing.size() == 2);
  CHECK(targets[0].failing[0].node == "node-b");
  CHECK(targets[0].failing_since == t0);
}

TEST_CASE("since-when survives repeated reports of the same outcome and resets on change") {
  Store store;
  store.apply(report("node-a", {result("kube-dns", Outcome::timeout, t0)}), t0);
  store.apply(report("node-a", {result("kube-dns", Outcome::timeout, t0 + seconds{10})}), t0 + seconds{10});
  CHECK(store.targets(t0 + seconds{10})[0].failing[0].since == t0);
  store.apply(report("node-a", {result("kube-dns", Outcome::refused, t0 + seconds{20})}), t0 + seconds{20});
  CHECK(store.targets(t0 + seconds{20})[0].failing[0].since == t0 + seconds{20});
  store.apply(report("node-a", {result("kube-dns", Outcome::ok, t0 + seconds{30})}), t0 + seconds{30});
  CHECK(store.targets(t0 + seconds{30})[0].failing.empty());
}

TEST_CASE("agents go stale after 3 missed intervals and stop counting") {
  Store store(3);
  store.apply(report("node-a", {result("kube-dns", Outcome::ok, t0)}), t0);
  store.apply(report("node-b", {result("kube-dns", Outcome::timeout, t0)}), t0);
  // node-a keeps reporting, node-b goes silent
  for (int i = 1; i <= 4; ++i) {
    store.apply(report("node-a", {result("kube-dns", Outcome::ok, t0 + seconds{10 * i})}), t0 + seconds{10 * i});
  }
  const TimePoint at_30 = t0 + seconds{30};
  CHECK(store.agents(at_30)[1].state == AgentState::reporting);  // exactly 3 intervals: not yet
  const TimePoint at_40 = t0 + seconds{40};
  const auto agents = store.agents(at_40);
  CHECK(agents[0].state == AgentState::reporting);
  CHECK(agents[1].node == "node-b");
  CHECK(agents[1].state == AgentState::stale);
  const auto targets = store.targets(at_40);
  CHECK(targets[0].nodes == 1);
  CHECK(targets[0].failing.empty());
}

TEST_CASE("a full report replaces the agent's checks; a partial one merges") {
  Store store;
  store.apply(report("node-a", {result("a", Outcome::ok, t0), result("b", Outcome::ok, t0)}), t0);
  CHECK(store.result_count() == 2);
  store.apply(report("node-a", {result("a", Outcome::timeout, t0)}, false), t0);
  CHECK(store.result_count() == 2);
  store.apply(report("node-a", {result("a", Outcome::ok, t0)}, true), t0);
  CHECK(store.result_count() == 1);
}

TEST_CASE("expect deny: a successful connection is the failure") {
  Store store;
  store.apply(report("node-a", {result("payment-denied", Outcome::ok, t0, Expect::deny)}), t0);
  store.apply(report("node-b", {result("payment-denied", Outcome::timeout, t0, Expect::deny)}), t0);
  const auto targets = store.targets(t0);
  REQUIRE(targets[0].failing.size() == 1);
  CHECK(targets[0].failing[0].node == "node-a");
  CHECK(targets[0].failing[0].outcome == Outcome::ok);
}

TEST_CASE("checks that no agent reports any more are dropped from the table") {
  Store store;
  // 3,000 short-lived targets, then only one left: the picture must stay right after compaction.
  for (int i = 0; i < 3000; ++i) {
    ProbeResult r = result("churn", Outcome::ok, t0);
    r.target = "127.0.0.1:" + std::to_string(1000 + i);
    store.apply(report("node-a", {r}), t0);
  }
  store.apply(report("node-b", {result("kube-dns", Outcome::timeout, t0)}), t0);
  store.forget_silent_agents(t0);  // triggers compaction
  const auto targets = store.targets(t0);
  REQUIRE(targets.size() == 2);
  CHECK(targets[0].probe == "churn");
  CHECK(targets[0].target == "127.0.0.1:3999");
  CHECK(targets[1].probe == "kube-dns");
  CHECK(targets[1].failing.size() == 1);
  store.apply(report("node-a", {result("kube-dns", Outcome::timeout, t0)}), t0);
  CHECK(store.targets(t0).size() == 1);
  CHECK(store.targets(t0)[0].failing.size() == 2);
}

TEST_CASE("silent agents are forgotten, and their addresses with them") {
  Store store(3, 60);
  store.apply(report("node-a", {result("a", Outcome::ok, t0)}), t0);
  CHECK(store.agent_address("node-a") == "127.0.0.1:9743");
  store.forget_silent_agents(t0 + seconds{600});
  CHECK(store.agents(t0).size() == 1);
  store.forget_silent_agents(t0 + seconds{601});
  CHECK(store.agents(t0).empty());
  CHECK(store.agent_address("node-a").empty());
}
