#include "controller_config.hpp"

#include "url.hpp"

namespace netprobe {
namespace {

AdhocConfig read_adhoc(const Field& field) {
  AdhocConfig adhoc;
  MapReader map(field);
  std::vector<Cidr> cidrs = adhoc.allowlist.cidrs();
  std::vector<std::string> suffixes = adhoc.allowlist.suffixes();
  if (auto list = map.optional("allow_cidrs")) {
    cidrs.clear();
    for (const Field& item : list->as_list()) {
      const std::string text = item.as_string();
      auto cidr = parse_cidr(text);
      if (!cidr) item.fail("invalid CIDR \"" + text + "\" (expected e.g. 10.0.0.0/8)");
      cidrs.push_back(*cidr);
    }
  }
  if (auto list = map.optional("allow_suffixes")) {
    suffixes.clear();
    for (const Field& item : list->as_list()) {
      std::string suffix = item.as_string();
      if (suffix.empty() || suffix == ".") item.fail("an empty suffix would allow every name");
      suffixes.push_back(std::move(suffix));
    }
  }
  if (auto rate = map.optional("rate_per_minute")) adhoc.rate_per_minute = static_cast<int>(rate->as_int(1, 100'000));
  if (auto timeout = map.optional("max_timeout")) {
    adhoc.max_timeout = timeout->as_duration();
    if (adhoc.max_timeout < Millis{100}) timeout->fail("max_timeout must be at least 100ms");
  }
  map.finish();
  adhoc.allowlist = Allowlist(std::move(cidrs), std::move(suffixes));
  return adhoc;
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
  map.finish();
  return alertmanager;
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
  if (auto adhoc = map.optional("adhoc")) config.adhoc = read_adhoc(*adhoc);
  if (auto alertmanager = map.optional("alertmanager")) config.alertmanager = read_alertmanager(*alertmanager);
  if (auto interval = map.optional("interval")) config.defaults.interval = interval->as_duration();
  if (auto timeout = map.optional("timeout")) config.defaults.timeout = timeout->as_duration();
  if (auto probes = map.optional("probes")) config.probes = read_probe_list(*probes, config.defaults);
  map.finish();
  return config;
}

}  // namespace netprobe
