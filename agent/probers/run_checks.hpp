#pragma once
// Running several checks at once: a one-shot probe that expands into several
// checks (a DNS probe over servers x transports) runs them concurrently, so it
// answers within one timeout rather than their sum.
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "agent/probers/prober.hpp"

namespace netprobe {

// Results in the order of `checks`. `env` and `identity` must outlive the call.
boost::asio::awaitable<std::vector<ProbeResult>> run_checks(std::vector<Check> checks, ProbeEnv& env,
                                                            const Identity& identity);

// The same on a private io_context, for the CLI and tests.
std::vector<ProbeResult> run_checks_blocking(std::vector<Check> checks, ProbeEnv& env, const Identity& identity);

}  // namespace netprobe
