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

// Convenience for single-check probes.
ProbeResult run_single(const std::string& spec_yaml);

}  // namespace netprobe::testing
