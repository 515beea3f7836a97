#include "controller_config.hpp"

#include "endpoint.hpp"
#include "url.hpp"

namespace netprobe {
namespace {

// Each limit bounds what holders of the agent token (every node) can make the
// controller hold; docs/security.md lists them.
ControllerLimits read_limits(const Field& field) {
  ControllerLimits limits;
  MapReader map(field);
  if (auto value = map.optional("max_agents")) limits.max_agents = static_cast<std::size_t>(value->as_int(1, 1'000'000));
  if (auto value = map.optional("max_checks")) limits.max_checks = static_cast<std::size_t>(value->as_int(1, 1'000'000));
  if (auto value = map.optional("max_results_per_agent")) {
    limits.max_results_per_agent = static_cast<std::size_t>(value->as_int(1, kMaxResultsPerReport));
  }
  if (auto value = map.optional("max_connections")) {
    limits.max_connections = static_cast<std::size_t>(value->as_int(16, 100'000));
  }
  if (auto value = map.optional("max_connections_per_client")) {
    limits.max_connections_per_client = static_cast<std::size_t>(value->as_int(1, 100'000));
  }
  if (auto value = map.optional("body_memory")) {
    limits.body_memory = static_cast<std::size_t>(value->as_int(kMaxReportBodyBytes, std::int64_t{1} << 34));
  }
  map.finish();
  return limits;
}

AlertmanagerConfig read_alertmanager(const Field& field) {
  AlertmanagerConfig alertmanager;
  MapReader map(field);
  if (auto urls = map.optional("urls")) {
    for (const Field& item : urls->as_list()) {
      std::string url = item.as_string();
      UrlError error;
      if (!parse_http_url(url, &error)) item.fail("invalid Alertmanager URL \"" + url + "\": " + error.message);
      alertmanager.urls.push_back(std::move(url));
    }
  }
  if (auto duration = map.optional("for")) alertmanager.for_duration = duration->as_duration();
  if (auto nodes = map.optional("min_failing_nodes")) {
    alertmanager.min_failing_nodes = static_cast<int>(nodes->as_int(1, 1'000'000));
  }
  if (auto resend = map.optional("resend_interval")) {
    alertmanager.resend_interval = resend->as_duration();
    if (alertmanager.resend_interval < Millis{1'000}) resend->fail("resend_interval must be at least 1s");
  }
  if (auto cap = map.optional("max_alerts_per_push")) {
    alertmanager.max_alerts_per_push = static_cast<std::size_t>(cap->as_int(1, 10'000));
  }
  map.finish();
  return alertmanager;
}

netpol::Labels read_label_map(const Field& field) {
  if (!field.node().IsMap()) field.fail("expected a map of label: value");
  netpol::Labels labels;
  for (const auto& entry : field.node()) {
    const std::string key = entry.first.Scalar();
    labels[key] = Field(entry.second, field.path() + "." + key, field.source()).as_string();
  }
  return labels;
}

std::string read_namespace_name(const Field& field) {
  std::string name = field.as_string();
  if (name.empty()) field.fail("a namespace name is required");
  return name;
}

std::string read_ip(const Field& field) {
  std::string text = field.as_string();
  if (!parse_ip(text)) field.fail("invalid IP address \"" + text + "\"");
  return text;
}

PolicyAnalysisConfig read_policy_analysis(const Field& field) {
  PolicyAnalysisConfig analysis;
  netpol::CheckOptions& checks = analysis.checks;
  MapReader map(field);
  if (auto paths = map.optional("paths")) {
    for (const Field& item : paths->as_list()) {
      std::string path = item.as_string();
      if (path.empty()) item.fail("an empty path");
      if (path == "-") item.fail("standard input cannot be re-read every interval; name a file or directory");
      analysis.paths.push_back(std::move(path));
    }
  }
  if (auto interval = map.optional("interval")) {
    analysis.interval = interval->as_duration();
    if (analysis.interval < Millis{1'000}) interval->fail("interval must be at least 1s");
  }
  if (auto attribution = map.optional("attribution")) analysis.attribution = attribution->as_bool();
  if (auto ns = map.optional("monitoring_namespace")) checks.monitoring_namespace = read_namespace_name(*ns);
  if (auto labels = map.optional("prometheus_labels")) checks.prometheus_labels = read_label_map(*labels);
  if (auto ns = map.optional("dns_namespace")) checks.dns_namespace = read_namespace_name(*ns);
  if (auto labels = map.optional("dns_labels")) {
    checks.dns_labels = read_label_map(*labels);
    if (checks.dns_labels.empty()) labels->fail("at least one label is needed to find kube-dns");
  }
  if (auto address = map.optional("nodelocal_dns")) checks.nodelocal_dns = read_ip(*address);
  if (auto address = map.optional("metadata_address")) checks.metadata_address = read_ip(*address);
  if (auto severity = map.optional("metadata_severity")) {
    checks.metadata_severity = severity->as_string();
    if (checks.metadata_severity != "error" && checks.metadata_severity != "warning" &&
        checks.metadata_severity != "off") {
      severity->fail("unknown severity \"" + checks.metadata_severity + "\" (expected error, warning, off)");
    }
  }
  if (auto annotations = map.optional("iam_annotations")) {
    checks.iam_annotations.clear();
    for (const Field& item : annotations->as_list()) checks.iam_annotations.push_back(item.as_string());
  }
  map.finish();
  return analysis;
}

// "kube-system/kube-dns"
void read_dns_service(const Field& field, kube::DiscoverySettings& discovery) {
  const std::string text = field.as_string();
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size() || text.find('/', slash + 1) != std::string::npos) {
    field.fail("expected namespace/name, e.g. kube-system/kube-dns");
  }
  discovery.dns_namespace = text.substr(0, slash);
  discovery.dns_service = text.substr(slash + 1);
}

kube::DiscoverySettings read_discovery(const Field& field) {
  kube::DiscoverySettings discovery;
  MapReader map(field);
  if (auto enabled = map.optional("enabled")) discovery.enabled = enabled->as_bool();
  if (auto service = map.optional("dns_service")) read_dns_service(*service, discovery);
  if (auto domain = map.optional("cluster_domain")) {
    discovery.cluster_domain = domain->as_string();
    if (!plausible_host_name(discovery.cluster_domain) || discovery.cluster_domain.ends_with(".")) {
      domain->fail("\"" + discovery.cluster_domain + "\" is not a domain (e.g. cluster.local, without the final dot)");
    }
  }
  if (auto address = map.optional("nodelocal_dns")) {
    discovery.nodelocal_address = address->as_string();
    if (!discovery.nodelocal_address.empty() && !parse_ip(discovery.nodelocal_address)) {
      address->fail("invalid IP address \"" + discovery.nodelocal_address + "\" (\"\" turns it off)");
    }
  }
  if (auto agents = map.optional("scrape_agents")) discovery.scrape_agents = static_cast<std::size_t>(agents->as_int(1, 100));
  if (auto mode = map.optional("scrape_mode")) {
    const std::string text = mode->as_string();
    if (text == "tcp") discovery.scrape_mode = kube::ScrapeMode::tcp;
    else if (text == "http") discovery.scrape_mode = kube::ScrapeMode::http;
    else mode->fail("unknown scrape_mode \"" + text + "\" (expected tcp, http)");
  }
  if (auto interval = map.optional("interval")) {
    discovery.interval = interval->as_duration();
    if (discovery.interval < Millis{1'000}) interval->fail("interval must be at least 1s");
  }
  if (auto interval = map.optional("scrape_interval")) {
    discovery.scrape_interval = interval->as_duration();
    if (discovery.scrape_interval < Millis{30'000}) interval->fail("scrape_interval must be at least 30s (it loads the apps)");
  }
  if (auto timeout = map.optional("timeout")) {
    discovery.timeout = timeout->as_duration();
    if (discovery.timeout < Millis{100} || discovery.timeout > discovery.interval) {
      timeout->fail("timeout must be at least 100ms and at most interval");
    }
  }
  if (auto derived = map.optional("derived_deny")) discovery.derived_deny = derived->as_bool();
  if (auto per_namespace = map.optional("derived_per_namespace")) {
    discovery.derived_per_namespace = static_cast<std::size_t>(per_namespace->as_int(1, 20));
  }
  if (auto max = map.optional("max_derived")) discovery.max_derived = static_cast<std::size_t>(max->as_int(0, 1'000));
  if (auto interval = map.optional("derived_interval")) {
    discovery.derived_interval = interval->as_duration();
    if (discovery.derived_interval < Millis{30'000}) {
      interval->fail("derived_interval must be at least 30s (each derived probe connects to an app's port)");
    }
  }
  map.finish();
  return discovery;
}

}  // namespace

ControllerConfig parse_controller_config(std::string_view text, const std::string& source) {
  ControllerConfig config;
  YAML::Node document = load_yaml(text, source);
  if (document.IsNull()) return config;
  MapReader map(Field(document, "", source));
  if (auto listen = map.optional("listen")) config.listen = read_listen_address(*listen);
  if (auto stale = map.optional("stale_after")) config.stale_after = static_cast<int>(stale->as_int(1, 1000));
  if (auto series = map.optional("max_failing_series")) {
    config.max_failing_series = static_cast<int>(series->as_int(0, 1'000'000));
  }
  if (auto adhoc = map.optional("adhoc")) config.adhoc = read_adhoc_config(*adhoc, true);
  if (auto limits = map.optional("limits")) config.limits = read_limits(*limits);
  if (auto alertmanager = map.optional("alertmanager")) config.alertmanager = read_alertmanager(*alertmanager);
  if (auto analysis = map.optional("policy_analysis")) config.policy_analysis = read_policy_analysis(*analysis);
  if (auto discovery = map.optional("discovery")) config.discovery = read_discovery(*discovery);
  if (auto interval = map.optional("interval")) config.defaults.interval = interval->as_duration();
  if (auto timeout = map.optional("timeout")) config.defaults.timeout = timeout->as_duration();
  // A probe's tls.ca_file names a file on the agents that run it, checked there (lib/core/controller_reply.cpp).
  if (auto probes = map.optional("probes")) config.probes = read_probe_list(*probes, config.defaults, CaFiles::unchecked);
  map.finish();
  return config;
}

}  // namespace netprobe
