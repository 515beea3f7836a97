#include "core/controller_config.hpp"

#include <doctest/doctest.h>

#include "unit/corrupt.hpp"

using namespace netprobe;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_controller_config(text, "controller.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("the documented example parses, defaults fill the rest") {
  const ControllerConfig config = parse_controller_config(R"(
listen: ":9742"
stale_after: 3
max_failing_series: 500
adhoc:
  allow_cidrs: ["10.0.0.0/8", "169.254.169.254/32"]  # not-a-destination
  allow_suffixes: [".cluster.local"]
  rate_per_minute: 60
alertmanager:
  urls: ["http://alertmanager.monitoring.svc:9093"]
  for: 20s
  min_failing_nodes: 2
probes:
  - name: kube-dns
    type: dns
    query: kubernetes.default.svc.cluster.local.
)",
                                                          "controller.yaml");
  CHECK(config.stale_after == 3);
  CHECK(config.adhoc.allowlist.cidrs().size() == 2);
  CHECK(config.adhoc.allowlist.allows_host("10.1.2.3"));  // # not-a-destination
  CHECK_FALSE(config.adhoc.allowlist.allows_host("192.168.1.1"));  // # not-a-destination
  CHECK(config.alertmanager.for_duration == Millis{20'000});
  CHECK(config.alertmanager.min_failing_nodes == 2);
  CHECK(config.probes.size() == 1);

  const ControllerConfig empty = parse_controller_config("", "controller.yaml");
  CHECK(empty.listen == ":9742");
  CHECK(empty.adhoc.allowlist.allows_host("192.168.1.1"));  // # not-a-destination: the design default
  CHECK(empty.adhoc.allowlist.allows_host("payment.payments.svc.cluster.local"));
}

TEST_CASE("invalid controller configs name the field") {
  CHECK(error_of("stale_after: 0\n") == "controller.yaml:1: stale_after: 0 is out of range (expected 1 to 1000)");
  CHECK(error_of("adhoc:\n  allow_cidrs: [\"10.0.0.0/33\"]\n") ==  // # not-a-destination
        "controller.yaml:2: adhoc.allow_cidrs[0]: invalid CIDR \"10.0.0.0/33\" (expected e.g. 10.0.0.0/8)");  // # not-a-destination
  CHECK(error_of("adhoc:\n  allow_suffixes: [\".\"]\n") ==
        "controller.yaml:2: adhoc.allow_suffixes[0]: an empty suffix would allow every name");
  CHECK(error_of("alertmanager:\n  urls: [alertmanager:9093]\n") ==
        "controller.yaml:2: alertmanager.urls[0]: invalid Alertmanager URL \"alertmanager:9093\": no scheme: add "
        "http:// (http://alertmanager:9093)");
  CHECK(error_of("alertmanager:\n  fro: 20s\n") ==
        "controller.yaml:2: alertmanager.fro: unknown key (expected one of urls, for, min_failing_nodes, "
        "resend_interval, max_alerts_per_push)");
  CHECK(error_of("max_failing_series: lots\n") ==
        "controller.yaml:1: max_failing_series: expected a whole number, found \"lots\"");
}

TEST_CASE("policy_analysis: paths, interval and the lint options") {
  const ControllerConfig config = parse_controller_config(R"(
policy_analysis:
  paths: [/etc/netprobe/cluster, /var/run/cluster.json]
  interval: 30s
  monitoring_namespace: observability
  prometheus_labels: {app.kubernetes.io/name: prometheus}
  dns_namespace: dns
  dns_labels: {k8s-app: coredns}
  nodelocal_dns: 169.254.20.10  # not-a-destination
  metadata_severity: error
  iam_annotations: [eks.amazonaws.com/role-arn]
  attribution: false
)",
                                                          "controller.yaml");
  const PolicyAnalysisConfig& analysis = config.policy_analysis;
  CHECK_FALSE(analysis.attribution);
  CHECK(analysis.paths == std::vector<std::string>{"/etc/netprobe/cluster", "/var/run/cluster.json"});
  CHECK(analysis.interval == Millis{30'000});
  CHECK(analysis.checks.monitoring_namespace == "observability");
  CHECK(analysis.checks.prometheus_labels == netpol::Labels{{"app.kubernetes.io/name", "prometheus"}});
  CHECK(analysis.checks.dns_namespace == "dns");
  CHECK(analysis.checks.dns_labels == netpol::Labels{{"k8s-app", "coredns"}});
  CHECK(analysis.checks.nodelocal_dns == "169.254.20.10");  // not-a-destination
  CHECK(analysis.checks.metadata_severity == "error");
  CHECK(analysis.checks.iam_annotations == std::vector<std::string>{"eks.amazonaws.com/role-arn"});

  const ControllerConfig off = parse_controller_config("", "controller.yaml");
  CHECK(off.policy_analysis.paths.empty());
  CHECK(off.policy_analysis.interval == Millis{60'000});
  CHECK(off.policy_analysis.checks.metadata_severity == "warning");
  CHECK(off.policy_analysis.attribution);
}

TEST_CASE("invalid policy_analysis settings name the field") {
  CHECK(error_of("policy_analysis:\n  interval: 100ms\n") ==
        "controller.yaml:2: policy_analysis.interval: interval must be at least 1s");
  CHECK(error_of("policy_analysis:\n  metadata_severity: loud\n") ==
        "controller.yaml:2: policy_analysis.metadata_severity: unknown severity \"loud\" (expected error, warning, off)");
  CHECK(error_of("policy_analysis:\n  nodelocal_dns: nodelocal\n") ==
        "controller.yaml:2: policy_analysis.nodelocal_dns: invalid IP address \"nodelocal\"");
  CHECK(error_of("policy_analysis:\n  dns_labels: [k8s-app]\n") ==
        "controller.yaml:2: policy_analysis.dns_labels: expected a map of label: value");
  CHECK(error_of("policy_analysis:\n  paths: /etc/netprobe\n").find("policy_analysis.paths") != std::string::npos);
  CHECK(error_of("policy_analysis:\n  path: [/etc]\n").find("policy_analysis.path: unknown key") != std::string::npos);
  CHECK(error_of("policy_analysis:\n  paths: [\"-\"]\n") ==
        "controller.yaml:2: policy_analysis.paths[0]: standard input cannot be re-read every interval; name a file or "
        "directory");
}

TEST_CASE("discovery: defaults, every setting, and what is refused") {
  const kube::DiscoverySettings defaults = parse_controller_config("listen: ':9742'\n", "c.yaml").discovery;
  CHECK(defaults.enabled);
  CHECK(defaults.dns_namespace == "kube-system");
  CHECK(defaults.dns_service == "kube-dns");
  CHECK(defaults.scrape_agents == 3);
  CHECK(defaults.scrape_mode == kube::ScrapeMode::tcp);
  CHECK(defaults.derived_deny);
  CHECK(defaults.derived_per_namespace == 2);
  CHECK(defaults.max_derived == 200);
  CHECK(defaults.derived_interval == std::chrono::minutes{1});

  const kube::DiscoverySettings set = parse_controller_config(R"(
discovery:
  enabled: true
  dns_service: dns/coredns
  cluster_domain: k8s.internal
  nodelocal_dns: ""
  scrape_agents: 5
  scrape_mode: http
  interval: 15s
  scrape_interval: 1m
  timeout: 3s
  derived_deny: false
  derived_per_namespace: 3
  max_derived: 50
  derived_interval: 45s
)", "c.yaml").discovery;
  CHECK(set.dns_namespace == "dns");
  CHECK(set.dns_service == "coredns");
  CHECK(set.cluster_domain == "k8s.internal");
  CHECK(set.nodelocal_address.empty());
  CHECK(set.scrape_agents == 5);
  CHECK(set.scrape_mode == kube::ScrapeMode::http);
  CHECK(set.scrape_interval == std::chrono::minutes{1});
  CHECK(set.timeout == std::chrono::seconds{3});
  CHECK_FALSE(set.derived_deny);
  CHECK(set.derived_per_namespace == 3);
  CHECK(set.max_derived == 50);
  CHECK(set.derived_interval == std::chrono::seconds{45});

  CHECK(error_of("discovery: {dns_service: kube-dns}") ==
        "controller.yaml:1: discovery.dns_service: expected namespace/name, e.g. kube-system/kube-dns");
  CHECK(error_of("discovery: {scrape_mode: udp}") ==
        "controller.yaml:1: discovery.scrape_mode: unknown scrape_mode \"udp\" (expected tcp, http)");
  CHECK(error_of("discovery: {scrape_agents: 0}").find("discovery.scrape_agents") != std::string::npos);
  CHECK(error_of("discovery: {scrape_interval: 5s}") ==
        "controller.yaml:1: discovery.scrape_interval: scrape_interval must be at least 30s (it loads the apps)");
  CHECK(error_of("discovery: {derived_interval: 10s}") ==
        "controller.yaml:1: discovery.derived_interval: derived_interval must be at least 30s (each derived probe "
        "connects to an app's port)");
  CHECK(error_of("discovery: {derived_per_namespace: 0}").find("discovery.derived_per_namespace") != std::string::npos);
  CHECK(error_of("discovery: {max_derived: -1}").find("discovery.max_derived") != std::string::npos);
  CHECK(error_of("discovery: {cluster_domain: 'cluster.local.'}").find("without the final dot") != std::string::npos);
  CHECK(error_of("discovery: {nodelocal_dns: nodelocal}").find("invalid IP address") != std::string::npos);
  CHECK(error_of("discovery: {scrape: true}").find("discovery.scrape: unknown key") != std::string::npos);
}

TEST_CASE("corrupted controller configs are refused with a ConfigError, never another exception") {
  const std::string valid = R"(listen: ":9742"
stale_after: 3
max_failing_series: 500
adhoc:
  allow_cidrs: ["127.0.0.0/8"]
  allow_suffixes: [".cluster.local"]
  rate_per_minute: 60
alertmanager:
  urls: ["http://alertmanager.monitoring.svc:9093"]
  for: 20s
policy_analysis:
  paths: [/etc/netprobe/cluster]
  interval: 1m
  dns_labels: {k8s-app: kube-dns}
probes:
  - name: kube-dns
    type: dns
    query: kubernetes.default.svc.cluster.local.
)";
  int refused = 0;
  for (const std::string& text : testing::corruptions(valid, 3000)) {
    try {
      parse_controller_config(text, "controller.yaml");
    } catch (const ConfigError& error) {
      ++refused;
      CHECK(std::string(error.what()).rfind("controller.yaml:", 0) == 0);
    } catch (const std::exception& error) {
      FAIL_CHECK("config\n" << text << "\nthrew " << error.what());
    }
  }
  CHECK(refused > 1000);
}
