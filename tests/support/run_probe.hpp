#pragma once
// Runs one check to completion on a private io_context: the integration
// tests' way of calling a prober exactly as the agent does.
#include <string>
#include <vector>

#include "agent/probers/prober.hpp"
#include "core/probe_config.hpp"

namespace netprobe::testing {

// Parses `spec_yaml` (a probe document, as in an ad hoc request) and runs every
// check it expands to; one result per check, in expansion order.
std::vector<ProbeResult> run_probe(const std::string& spec_yaml);
std::vector<ProbeResult> run_probe(const std::string& spec_yaml, ProbeEnv& env);

// Convenience for single-check probes; `env` when the test needs its own
// (a ProbeEnv that trusts a test CA, or resolves through a loopback server).
ProbeResult run_single(const std::string& spec_yaml);
ProbeResult run_single(const std::string& spec_yaml, ProbeEnv& env);

}  // namespace netprobe::testing
