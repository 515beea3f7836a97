#include "agent_config.hpp"

#include <set>

#include "url.hpp"

namespace netprobe {

AgentConfig parse_agent_config(std::string_view text, const std::string& source) {
  AgentConfig config;
  YAML::Node document = load_yaml(text, source);
  if (document.IsNull()) return config;  // an empty file: defaults, no probes
  MapReader map(Field(document, "", source));

  if (auto interval = map.optional("interval")) {
    config.defaults.interval = interval->as_duration();
    if (config.defaults.interval < Millis{100}) interval->fail("interval must be at least 100ms");
  }
  if (auto timeout = map.optional("timeout")) {
    config.defaults.timeout = timeout->as_duration();
    if (config.defaults.timeout < Millis{1}) timeout->fail("timeout must be positive");
  }
  if (auto listen = map.optional("listen")) config.listen = read_listen_address(*listen);
  if (auto controllers = map.optional("controllers")) {
    for (const Field& item : controllers->as_list()) {
      std::string url = item.as_string();
      UrlError error;
      if (!parse_http_url(url, &error)) item.fail("invalid controller URL \"" + url + "\": " + error.message);
      config.controllers.push_back(std::move(url));
    }
  }
  if (auto probes = map.optional("probes")) config.probes = read_probe_list(*probes, config.defaults);
  if (auto adhoc = map.optional("adhoc")) config.adhoc = read_adhoc_config(*adhoc, false);
  map.finish();
  return config;
}

AgentConfig with_assigned_probes(AgentConfig own, const std::vector<std::shared_ptr<const ProbeSpec>>& assigned) {
  std::set<std::string> own_names;
  for (const auto& probe : own.probes) own_names.insert(probe->name);
  for (const auto& probe : assigned) {
    if (!own_names.contains(probe->name)) own.probes.push_back(probe);
  }
  return own;
}

}  // namespace netprobe
