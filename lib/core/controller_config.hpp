#pragma once
// The controller's config file. Reference: README.md, "Controller configuration".
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allowlist.hpp"
#include "netpol_checks.hpp"
#include "probe_config.hpp"
#include "probe_spec.hpp"

namespace netprobe {

inline constexpr std::string_view kControllerDefaultListen = ":9742";

struct AdhocConfig {
  Allowlist allowlist{{*parse_cidr("10.0.0.0/8"), *parse_cidr("172.16.0.0/12"), *parse_cidr("192.168.0.0/16"),
                       *parse_cidr("169.254.169.254/32")},
                      {".cluster.local"}};
  int rate_per_minute = 60;
  Millis max_timeout{10'000};  // an ad hoc probe asking for more is refused
};

struct AlertmanagerConfig {
  std::vector<std::string> urls;  // e.g. http://alertmanager.monitoring.svc:9093
  Millis for_duration{20'000};    // a target must fail this long before it pages
  int min_failing_nodes = 1;
  Millis resend_interval{60'000};  // re-sent while firing, as Prometheus does
};

// Live NetworkPolicy analysis: the manifests under `paths` (files or directories,
// YAML or `kubectl get -o json` lists) are re-read and linted every `interval`,
// as `netprobe lint` would. A pluggable source: a mounted ConfigMap, or a dump a
// sidecar refreshes, until the controller reads the Kubernetes API itself.
struct PolicyAnalysisConfig {
  std::vector<std::string> paths;  // empty: analysis off
  Millis interval{60'000};
  CheckOptions checks;
};

struct ControllerConfig {
  std::string listen{kControllerDefaultListen};
  int stale_after = 3;
  int max_failing_series = 500;
  AdhocConfig adhoc;
  AlertmanagerConfig alertmanager;
  PolicyAnalysisConfig policy_analysis;
  // Probes every agent runs, handed out in the reply to each report.
  ProbeDefaults defaults;
  std::vector<std::shared_ptr<const ProbeSpec>> probes;
};

// Throws ConfigError with `source:line: field: message`.
ControllerConfig parse_controller_config(std::string_view text, const std::string& source);

}  // namespace netprobe
