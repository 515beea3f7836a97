#include "core/store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "unit/support/report_builders.hpp"

using namespace netprobe;
using std::chrono::seconds;

namespace {

using test::t0;

// kube-dns over udp, without a detail.
ProbeResult result(const std::string& probe, Outcome outcome, TimePoint time, Expect expect = Expect::allow) {
  ProbeResult r = test::probe_result(probe, outcome, time, expect);
  r.type = ProbeType::dns;
  r.target = "10.96.0.10:53";  // # not-a-destination
  r.transport = "udp";
  r.detail.clear();
  return r;
}

// Every 10 s: the staleness tests count in intervals.
AgentReport report(const std::string& node, std::vector<ProbeResult> results, bool full = true) {
  AgentReport r = test::agent_report(node, std::move(results));
  r.interval = Millis{10'000};
  r.full = full;
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
  CHECK(store.route_to("node-a", t0).address == "127.0.0.1:9743");
  store.forget_silent_agents(t0 + seconds{600});
  CHECK(store.agents(t0).size() == 1);
  store.forget_silent_agents(t0 + seconds{601});
  CHECK(store.agents(t0).empty());
  CHECK(store.route_to("node-a", t0 + seconds{601}).address.empty());
  CHECK(store.route_to("node-a", t0 + seconds{601}).unusable == "no agent has reported from node \"node-a\"");
}

namespace {

std::vector<ProbeResult> distinct(const std::string& prefix, int count, TimePoint time) {
  std::vector<ProbeResult> results;
  for (int i = 0; i < count; ++i) results.push_back(result(prefix + std::to_string(i), Outcome::ok, time));
  return results;
}

}  // namespace

TEST_CASE("partial reports replace, never grow an agent beyond max_results_per_agent") {
  Store store;
  store.set_limits({.max_agents = 10, .max_checks = 100'000, .max_results_per_agent = 100});
  ApplyResult last;
  for (int round = 0; round < 3; ++round) {
    last = store.apply(report("node-a", distinct("r" + std::to_string(round) + "-", 1'000, t0), false), t0);
  }
  CHECK(store.result_count() == 100);
  CHECK(last.accepted == 0);
  CHECK(last.over_agent_cap == 1'000);
  // Checks it already holds are still updated.
  const ApplyResult update = store.apply(report("node-a", {result("r0-5", Outcome::timeout, t0)}, false), t0);
  CHECK(update.accepted == 1);
  const auto targets = store.targets(t0);
  const auto updated = std::find_if(targets.begin(), targets.end(), [](const TargetView& t) { return t.probe == "r0-5"; });
  REQUIRE(updated != targets.end());
  CHECK(updated->failing.size() == 1);
  // A full report replaces: the first 100 of it.
  const ApplyResult full = store.apply(report("node-a", distinct("f", 150, t0), true), t0);
  CHECK(full.accepted == 100);
  CHECK(full.over_agent_cap == 50);
  CHECK(store.result_count() == 100);
}

TEST_CASE("no more agents than max_agents, and no more checks than max_checks") {
  Store store;
  store.set_limits({.max_agents = 5, .max_checks = 50, .max_results_per_agent = 1'000});
  int refused = 0;
  for (int i = 0; i < 10; ++i) refused += store.apply(report("n" + std::to_string(i), {}), t0).agent_refused ? 1 : 0;
  CHECK(refused == 5);
  CHECK(store.agents(t0).size() == 5);
  CHECK_FALSE(store.apply(report("n0", {}), t0).agent_refused);  // known agents still report

  const ApplyResult many = store.apply(report("n1", distinct("p", 200, t0)), t0);
  CHECK(many.accepted == 50);
  CHECK(many.over_check_cap == 150);
  CHECK(store.targets(t0).size() == 50);
  // Checks nobody reports any more stop counting against the cap, after a while.
  store.apply(report("n1", {}), t0);
  const ApplyResult later = store.apply(report("n2", distinct("q", 10, t0 + seconds{11})), t0 + seconds{11});
  CHECK(later.accepted == 10);
}

TEST_CASE("a pod that restarts with a new IP takes its node over; two live reporters are a conflict") {
  Store store;
  const std::string a = "10.0.0.2";  // # not-a-destination
  const std::string b = "10.0.0.3";  // # not-a-destination
  store.apply(report("node-a", {}), t0, a);
  CHECK_FALSE(store.apply(report("node-a", {}), t0 + seconds{3}, b).conflict_detected);  // restarted
  store.apply(report("node-a", {}), t0 + seconds{13}, b);
  CHECK(store.route_to("node-a", t0 + seconds{13}).address == "127.0.0.1:9743");
  CHECK_FALSE(store.agents(t0 + seconds{13})[0].identity_conflict);

  Store twice;
  twice.apply(report("node-b", {}), t0, a);
  twice.apply(report("node-b", {}), t0 + seconds{1}, b);
  CHECK(twice.apply(report("node-b", {}), t0 + seconds{2}, a).conflict_detected);   // a came back while b lives
  CHECK_FALSE(twice.apply(report("node-b", {}), t0 + seconds{3}, b).conflict_detected);  // the same conflict
  const AgentRoute route = twice.route_to("node-b", t0 + seconds{3});
  CHECK(route.address.empty());
  CHECK(route.unusable.starts_with("identity conflict: two live agents report as node \"node-b\""));
  CHECK(twice.agents(t0 + seconds{3})[0].identity_conflict);
  // One of them stops: after stale_after intervals without a flip, the survivor is used again.
  twice.apply(report("node-b", {}), t0 + seconds{20}, b);
  twice.apply(report("node-b", {}), t0 + seconds{40}, b);
  CHECK(twice.route_to("node-b", t0 + seconds{40}).address == "127.0.0.1:9743");
}

TEST_CASE("the advertised address is kept for attribution even when refused for routing") {
  Store store;
  AgentReport refused = report("node-a", {});
  refused.address = "";  // the controller dropped it: outside adhoc.allow_cidrs
  store.apply(refused, t0, "", "10.0.1.10:9743");  // # not-a-destination
  CHECK(store.agents(t0)[0].address.empty());
  CHECK(store.agents(t0)[0].advertised == "10.0.1.10:9743");  // # not-a-destination
  CHECK(store.route_to("node-a", t0).address.empty());
  AgentReport kept = report("node-a", {});
  kept.address = "10.0.1.11:9743";  // # not-a-destination
  store.apply(kept, t0);
  CHECK(store.agents(t0)[0].advertised == "10.0.1.11:9743");  // # not-a-destination
}

TEST_CASE("the matrix: a row per reporting agent, a column per check in targets() order, details of failures only") {
  Store store;
  ProbeResult failing = result("scrape", Outcome::timeout, t0);
  failing.detail = "no answer in 2s";
  ProbeResult passing = result("kube-dns", Outcome::ok, t0);
  passing.detail = "3 answers";
  store.apply(report("node-b", {failing, passing}), t0);
  store.apply(report("node-a", {result("kube-dns", Outcome::ok, t0)}), t0);
  AgentReport sentinel = report("node-a", {result("scrape", Outcome::ok, t0)});
  sentinel.ns = "shop";
  store.apply(sentinel, t0);
  store.apply(report("node-gone", {result("metadata", Outcome::timeout, t0)}), t0 - seconds{60});  // stale by t0

  const OutcomeMatrix matrix = store.matrix(t0);
  REQUIRE(matrix.checks.size() == 2);  // metadata: only the stale agent runs it
  CHECK(matrix.checks[0].probe == "kube-dns");
  CHECK(matrix.checks[1].probe == "scrape");
  const auto targets = store.targets(t0);
  REQUIRE(targets.size() == 2);
  CHECK(targets[0].probe == matrix.checks[0].probe);  // the same order as the target list
  REQUIRE(matrix.rows.size() == 3);
  CHECK(matrix.rows[0].node == "node-a");
  CHECK(matrix.rows[0].ns == "monitoring");
  CHECK(matrix.rows[1].ns == "shop");
  CHECK(matrix.rows[2].node == "node-b");
  REQUIRE(matrix.rows[0].at(0));
  CHECK_FALSE(matrix.rows[0].at(1));  // node-a's agent runs no scrape probe
  CHECK_FALSE(matrix.rows[1].at(0));
  REQUIRE(matrix.rows[2].at(1));
  CHECK(matrix.rows[2].at(1)->outcome == Outcome::timeout);
  CHECK_FALSE(matrix.rows[2].at(1)->success);
  CHECK(matrix.rows[2].at(1)->detail == "no answer in 2s");
  CHECK(matrix.rows[2].at(0)->detail.empty());  // a passing cell carries no detail: the page stays small
  CHECK(matrix.rows[2].at(1)->since == t0);
}

TEST_CASE("full and partial reports, repeated checks and compaction, against a plain model of the store") {
  // The model: per node, check -> (outcome, since), with the rules spelt out
  // (a full report replaces, the last of a repeated check counts, since holds
  // while the outcome does). The store must agree after every report.
  Store store;
  std::map<std::string, std::map<std::string, std::pair<Outcome, TimePoint>>> model;
  std::uint64_t state = 42;
  const auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (int round = 0; round < 800; ++round) {
    const TimePoint now = t0 + seconds{round};
    const std::string node = "node-" + std::to_string(next(4));
    // Names from a pool that drifts, and names used once: checks come and go,
    // and the table grows past what compaction waits for (2 x live + 1,024).
    const bool full = next(3) != 0;
    std::vector<ProbeResult> results;
    for (std::uint64_t i = 0, count = next(12); i < count; ++i) {
      const std::string probe = next(2) == 0 ? "p" + std::to_string(static_cast<std::uint64_t>(round / 100 * 10) + next(15))
                                             : "once-" + std::to_string(round) + "-" + std::to_string(i);
      results.push_back(result(probe, next(2) == 0 ? Outcome::ok : Outcome::timeout, now));
    }
    store.apply(report(node, results, full), now);
    auto& held = model[node];
    if (full) {
      std::map<std::string, std::pair<Outcome, TimePoint>> fresh;
      for (const ProbeResult& r : results) {
        const auto before = held.find(r.probe);
        const bool unchanged = before != held.end() && before->second.first == r.outcome;
        fresh[r.probe] = {r.outcome, unchanged ? before->second.second : now};
      }
      held = std::move(fresh);
    } else {
      for (const ProbeResult& r : results) {
        const auto before = held.find(r.probe);
        const bool unchanged = before != held.end() && before->second.first == r.outcome;
        held[r.probe] = {r.outcome, unchanged ? before->second.second : now};
      }
    }
    if (round % 50 == 49) store.forget_silent_agents(now);  // compacts once the table has grown

    std::map<std::string, std::map<std::string, std::pair<Outcome, TimePoint>>> seen;
    for (const TargetView& target : store.targets(now)) {
      std::size_t failing = 0;
      for (const FailingNode& failing_node : target.failing) {
        seen[failing_node.node][target.probe] = {failing_node.outcome, failing_node.since};
        ++failing;
      }
      CHECK(failing == (target.nodes_by_outcome.contains(Outcome::timeout) ? target.nodes_by_outcome.at(Outcome::timeout) : 0));
    }
    std::map<std::string, std::map<std::string, std::pair<Outcome, TimePoint>>> expected;
    std::size_t results_held = 0;
    for (const auto& [name, checks] : model) {
      results_held += checks.size();
      for (const auto& [probe, held_result] : checks) {
        if (held_result.first == Outcome::timeout) expected[name][probe] = held_result;
      }
    }
    REQUIRE_MESSAGE(seen == expected, "round " << round);
    REQUIRE(store.result_count() == results_held);
  }
}
