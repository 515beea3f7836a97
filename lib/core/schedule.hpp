#pragma once
// When a check runs. Offsets in the interval are spread by a hash of the
// check's identity on its node (as Prometheus spreads scrapes), so 100 probes
// with the same interval do not fire in one burst, the same check on many
// nodes does not hit one server at once, and a check keeps its slot across
// restarts.
#include <chrono>
#include <string>
#include <string_view>

#include "check_key.hpp"
#include "duration.hpp"

namespace netprobe {

// What the offset of `check` on `node` is a hash of.
std::string spread_key(std::string_view node, const CheckKey& check);

// In [0, interval): a stable offset for `key`.
Millis spread_offset(std::string_view key, Millis interval);

// The slot after `slot`: one interval on, or, after a stall (a suspended
// process, an overloaded node) left it behind `now`, the first slot after
// `now`: missed runs are skipped, never fired all at once.
std::chrono::steady_clock::time_point next_slot(std::chrono::steady_clock::time_point slot, Millis interval,
                                                std::chrono::steady_clock::time_point now);

}  // namespace netprobe
