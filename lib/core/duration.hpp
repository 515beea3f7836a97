#pragma once
// Go/Prometheus-style durations: "500ms", "10s", "1m30s", "2h".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace netprobe {

using Millis = std::chrono::milliseconds;

// nullopt for anything malformed, negative, or not a whole number of milliseconds.
std::optional<Millis> parse_duration(std::string_view text);

// The shortest form parse_duration reads back: 2000ms -> "2s", 1500ms -> "1.5s".
std::string format_duration(Millis duration);

// How long something has lasted, for people, in its two largest units, rounded
// down to the second: "45s", "3m12s", "2h5m", "3d4h". Negative (a clock step) is "0s".
std::string format_age(Millis age);

}  // namespace netprobe
