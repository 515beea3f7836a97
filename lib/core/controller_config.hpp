#pragma once
// The controller's config file. Reference: README.md, "Controller configuration".
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adhoc.hpp"
#include "kube/discovery_settings.hpp"
#include "netpol/check_options.hpp"
#include "probe_config.hpp"
#include "probe_spec.hpp"
#include "report.hpp"

namespace netprobe {

inline constexpr std::string_view kControllerDefaultListen = ":9742";

// What the agent token may make the controller hold, and what its HTTP server
// admits (docs/security.md). A report beyond a cap is refused in part or whole
// and counted in netprobe_reports_rejected_total{reason}.
struct ControllerLimits {
  std::size_t max_agents = 25'000;           // distinct (node, namespace)
  std::size_t max_checks = 10'000;           // distinct (probe, target, transport)
  std::size_t max_results_per_agent = 1'000;
  std::size_t max_connections = 1'024;
  std::size_t max_connections_per_client = 32;
  std::size_t body_memory = 32 << 20;        // request bodies in flight, all connections together
};

struct AlertmanagerConfig {
  std::vector<std::string> urls;  // e.g. http://alertmanager.monitoring.svc:9093
  Millis for_duration{20'000};    // a target must fail this long before it pages
  int min_failing_nodes = 1;
  Millis resend_interval{60'000};  // re-sent while firing, as Prometheus does
  std::size_t max_alerts_per_push = 100;  // the rest are summed up in one alert
};

// Live NetworkPolicy analysis: the manifests under `paths` (files or directories,
// YAML or `kubectl get -o json` lists) are re-read and linted every `interval`,
// as `netprobe lint` would. A pluggable source: a mounted ConfigMap, or a dump a
// sidecar refreshes, until the controller reads the Kubernetes API itself.
struct PolicyAnalysisConfig {
  std::vector<std::string> paths;  // empty: analysis off
  Millis interval{60'000};
  netpol::CheckOptions checks;
  // With Kubernetes: say which policy denies each failing path (README, "Why is it
  // failing?"); false leaves the failing entries without a "policy".
  bool attribution = true;
};

struct ControllerConfig {
  std::string listen{kControllerDefaultListen};
  int stale_after = 3;
  int max_failing_series = 500;
  AdhocConfig adhoc;
  ControllerLimits limits;
  AlertmanagerConfig alertmanager;
  PolicyAnalysisConfig policy_analysis;
  kube::DiscoverySettings discovery;  // Kubernetes mode only
  // Probes every agent runs, handed out in the reply to each report.
  ProbeDefaults defaults;
  std::vector<std::shared_ptr<const ProbeSpec>> probes;
};

// Throws ConfigError with `source:line: field: message`.
ControllerConfig parse_controller_config(std::string_view text, const std::string& source);

}  // namespace netprobe
