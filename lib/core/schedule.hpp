#pragma once
// Where in its interval a check runs. Offsets are spread by a hash of the
// check's identity (as Prometheus spreads scrapes), so 100 probes with the same
// interval do not fire in one burst, and a check keeps its slot across restarts.
#include <string_view>

#include "duration.hpp"

namespace netprobe {

// In [0, interval): a stable offset for `key`.
Millis spread_offset(std::string_view key, Millis interval);

}  // namespace netprobe
