#pragma once
// One JSON object per log line: {"time":…,"level":…,"msg":…, fields…}.
#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace netprobe {

enum class LogLevel { debug, info, warn, error };

std::string_view to_string(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view name);

// `fields` must be a JSON object (or null); its keys follow time, level and msg.
std::string format_log_line(std::chrono::system_clock::time_point time, LogLevel level, std::string_view message,
                            const nlohmann::json& fields);

}  // namespace netprobe
