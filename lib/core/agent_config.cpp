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
  if (auto listen = map.optional("listen")) {
    config.listen = listen->as_string();
    if (!parse_listen_address(config.listen)) {
      listen->fail("invalid listen address \"" + config.listen + "\" (expected [host]:port)");
    }
  }
  if (auto controllers = map.optional("controllers")) {
    for (const Field& item : controllers->as_list()) {
      std::string url = item.as_string();
      UrlError error;
      if (!parse_http_url(url, &error)) item.fail("invalid controller URL \"" + url + "\": " + error.message);
      config.controllers.push_back(std::move(url));
    }
  }
  if (auto probes = map.optional("probes")) {
    std::set<std::string> names;
    for (const Field& item : probes->as_list()) {
      ProbeSpec spec = read_probe(item, config.defaults);
      if (!names.insert(spec.name).second) {
        MapReader(item).required("name").fail("duplicate probe name \"" + spec.name + "\"");
      }
      config.probes.push_back(std::make_shared<const ProbeSpec>(std::move(spec)));
    }
  }
  map.finish();
  return config;
}

}  // namespace netprobe
