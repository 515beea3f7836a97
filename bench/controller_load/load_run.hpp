#pragma once
// One load run against the controller: the reports of every synthetic agent,
// the synthetic agents answering ad hoc probes, the scrapes, the fan-outs,
// then the table, the goals and one JSON line.
#include "common.hpp"

namespace netprobe::bench {

// Runs it, bounded in time whatever happens, and prints the figures to stdout.
// The exit status: 0 goals met, 1 not met, 2 could not start, 3 did not finish.
int run_load(const Options& options);

}  // namespace netprobe::bench
