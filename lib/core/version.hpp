#pragma once
#include <string_view>

namespace netprobe {
// Set from the CMake project version.
inline constexpr std::string_view kVersion = NETPROBE_VERSION;
}  // namespace netprobe
