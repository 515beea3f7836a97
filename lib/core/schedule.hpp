#pragma once
// When a check runs. Offsets in the interval come from a hash of the check's
// identity on its node (as Prometheus spreads scrapes), so a check keeps its
// slot across restarts. A node's checks of one interval share
// kStartsPerInterval start times: the checks starting together wake the agent
// once, not once each (on loopback their replies then also arrive in one
// wake-up), while 100 checks still come in ten small groups, not one burst. The
// start times are shifted by a phase of the node's own, so across a fleet the
// same check still spreads over the whole interval and no server sees every
// node at once.
#include <chrono>
#include <string>
#include <string_view>

#include "check_key.hpp"
#include "duration.hpp"

namespace netprobe {

// Start times per interval a node's checks share: its tenths.
inline constexpr int kStartsPerInterval = 10;

// In [0, interval): where in its interval `check` on `node` runs; stable, one of
// the node's kStartsPerInterval start times for that interval.
Millis spread_offset(std::string_view node, const CheckKey& check, Millis interval);

// The slot after `slot`: one interval on, or, after a stall (a suspended
// process, an overloaded node) left it behind `now`, the first slot after
// `now`: missed runs are skipped, never fired all at once.
std::chrono::steady_clock::time_point next_slot(std::chrono::steady_clock::time_point slot, Millis interval,
                                                std::chrono::steady_clock::time_point now);

}  // namespace netprobe
