#include "core/controller_config.hpp"

#include <doctest/doctest.h>

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
        "controller.yaml:2: alertmanager.urls[0]: invalid Alertmanager URL \"alertmanager:9093\": scheme "
        "\"alertmanager\" is not http or https");
  CHECK(error_of("alertmanager:\n  fro: 20s\n") ==
        "controller.yaml:2: alertmanager.fro: unknown key (expected one of urls, for, min_failing_nodes, "
        "resend_interval)");
  CHECK(error_of("max_failing_series: lots\n") ==
        "controller.yaml:1: max_failing_series: expected a whole number, found \"lots\"");
}
