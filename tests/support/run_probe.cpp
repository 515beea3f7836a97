#include "support/run_probe.hpp"

#include <stdexcept>

#include "agent/probers/run_checks.hpp"
#include "io/dns_client.hpp"

namespace netprobe::testing {

std::vector<ProbeResult> run_probe(const std::string& spec_yaml, ProbeEnv& env) {
  auto spec = std::make_shared<const ProbeSpec>(parse_probe_document(spec_yaml, "test", ProbeDefaults{}));
  return run_checks_blocking(expand_checks(spec, system_nameservers()), env, Identity{"test-node", "test-ns"});
}

std::vector<ProbeResult> run_probe(const std::string& spec_yaml) {
  ProbeEnv env;
  return run_probe(spec_yaml, env);
}

ProbeResult run_single(const std::string& spec_yaml, ProbeEnv& env) {
  auto results = run_probe(spec_yaml, env);
  if (results.size() != 1) throw std::runtime_error("expected one check, got " + std::to_string(results.size()));
  return results.front();
}

ProbeResult run_single(const std::string& spec_yaml) {
  ProbeEnv env;
  return run_single(spec_yaml, env);
}

}  // namespace netprobe::testing
