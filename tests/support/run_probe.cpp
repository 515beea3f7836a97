#include "support/run_probe.hpp"

#include <stdexcept>

#include "agent/probers/run_checks.hpp"
#include "io/dns_client.hpp"

namespace netprobe::testing {

std::vector<ProbeResult> run_probe(const std::string& spec_yaml) {
  auto spec = std::make_shared<const ProbeSpec>(parse_probe_document(spec_yaml, "test", ProbeDefaults{}));
  const std::vector<Endpoint> system = system_nameservers();
  const std::vector<Check> checks = expand_checks(spec, system);
  ProbeEnv env;
  return run_checks_blocking(checks, env, Identity{"test-node", "test-ns"});
}

ProbeResult run_single(const std::string& spec_yaml) {
  auto results = run_probe(spec_yaml);
  if (results.size() != 1) throw std::runtime_error("expected one check, got " + std::to_string(results.size()));
  return results.front();
}

}  // namespace netprobe::testing
