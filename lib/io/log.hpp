#pragma once
// JSON-lines logging to stderr. Formatting lives in core/log_line.hpp.
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/log_line.hpp"

namespace netprobe::log {

void set_level(LogLevel level);
// Whether a line at `level` would be written: lets a caller skip building
// fields that would be thrown away (a failing probe's JSON, on every run).
bool enabled(LogLevel level);
void write(LogLevel level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());

inline void debug(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  write(LogLevel::debug, message, fields);
}
inline void info(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  write(LogLevel::info, message, fields);
}
inline void warn(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  write(LogLevel::warn, message, fields);
}
inline void error(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  write(LogLevel::error, message, fields);
}

}  // namespace netprobe::log
