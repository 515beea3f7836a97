// The live policy analysis: one analysis on its own, and the watcher running
// analyses off the io_context thread and handing the snapshot back.
#include "controller/policy_watcher.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include <boost/asio/io_context.hpp>

#include "support/process.hpp"

using namespace netprobe;
using netprobe::testing::make_temp_dir;
using netprobe::testing::write_file;

namespace {

// A default-deny in payments with no DNS allow: one dns-egress-blocked finding.
constexpr const char* kManifests = R"(apiVersion: v1
kind: Pod
metadata: {name: payment-0, namespace: payments, labels: {app: payment}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: payments}
spec: {podSelector: {}, policyTypes: [Egress]}
)";

struct TempDir {
  std::string path = make_temp_dir("netprobe-policies");
  ~TempDir() { std::filesystem::remove_all(path); }
};

bool has_check(const PolicySnapshot& snapshot, const std::string& check) {
  for (const netpol::Finding& finding : snapshot.findings) {
    if (finding.check == check) return true;
  }
  return false;
}

// Runs the io_context until `done` holds or 10 s pass (the analysis thread posts back).
template <typename Predicate>
bool run_until(boost::asio::io_context& io, Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds{50});
  }
  return done();
}

}  // namespace

TEST_CASE("an analysis reads the paths and runs the checks; a failed one keeps the last findings") {
  TempDir dir;
  write_file(dir.path + "/cluster.yaml", kManifests);
  PolicyAnalysisConfig config;
  config.paths = {dir.path};
  const TimePoint first{std::chrono::seconds{1'795'000'000}};
  const PolicySnapshot good = analyse_policies(config, PolicySnapshot{}, first);
  CHECK(good.enabled);
  CHECK(good.error.empty());
  CHECK(good.analysed_at == first);
  CHECK(good.policies == 1);
  CHECK(good.pods == 1);
  CHECK(has_check(good, "dns-egress-blocked"));

  write_file(dir.path + "/cluster.yaml", "kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nmetadata: {name: x}\n");
  const TimePoint second = first + std::chrono::minutes{1};
  const PolicySnapshot bad = analyse_policies(config, good, second);
  CHECK(bad.error == dir.path + "/cluster.yaml:1: spec: is required");
  CHECK(bad.analysed_at == first);  // when the findings were last true
  CHECK(bad.attempted_at == second);
  CHECK(has_check(bad, "dns-egress-blocked"));

  config.paths = {dir.path + "/gone"};
  CHECK(analyse_policies(config, good, second).error == dir.path + "/gone: no such file or directory");
}

TEST_CASE("the watcher analyses at once on configure, again on reconfigure, and stops without paths") {
  TempDir dir;
  write_file(dir.path + "/cluster.yaml", kManifests);
  boost::asio::io_context io;
  PolicyWatcher watcher(io);
  CHECK_FALSE(watcher.snapshot()->enabled);

  PolicyAnalysisConfig config;
  config.paths = {dir.path};
  config.interval = Millis{60'000};  // only configure() triggers analyses in this test
  watcher.configure(config);
  REQUIRE(run_until(io, [&] { return watcher.snapshot()->analysed_at.has_value(); }));
  CHECK(has_check(*watcher.snapshot(), "dns-egress-blocked"));

  // A DNS allow fixes it; a reload (configure) analyses again without waiting for the interval.
  write_file(dir.path + "/dns.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: payments}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
)");
  watcher.configure(config);
  REQUIRE(run_until(io, [&] { return !has_check(*watcher.snapshot(), "dns-egress-blocked"); }));
  CHECK(watcher.snapshot()->policies == 2);

  watcher.configure(PolicyAnalysisConfig{});
  CHECK_FALSE(watcher.snapshot()->enabled);
  CHECK(watcher.snapshot()->findings.empty());
}

TEST_CASE("the watcher re-analyses every interval") {
  TempDir dir;
  write_file(dir.path + "/cluster.yaml", kManifests);
  boost::asio::io_context io;
  PolicyWatcher watcher(io);
  PolicyAnalysisConfig config;
  config.paths = {dir.path};
  config.interval = Millis{1'000};
  watcher.configure(config);
  REQUIRE(run_until(io, [&] { return watcher.snapshot()->analysed_at.has_value(); }));
  const TimePoint first = *watcher.snapshot()->attempted_at;
  std::filesystem::remove(dir.path + "/cluster.yaml");  // an emptied ConfigMap is not "all fixed"
  REQUIRE(run_until(io, [&] { return *watcher.snapshot()->attempted_at > first; }));
  CHECK(watcher.snapshot()->error == "no manifest files (*.yaml, *.yml, *.json) under the configured paths");
  CHECK(has_check(*watcher.snapshot(), "dns-egress-blocked"));  // the last findings stay
}
