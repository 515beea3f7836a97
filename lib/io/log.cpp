#include "log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace netprobe::log {
namespace {

std::atomic<LogLevel> g_level{LogLevel::info};
std::mutex g_write;

}  // namespace

void set_level(LogLevel level) { g_level = level; }

bool enabled(LogLevel level) { return level >= g_level.load(); }

void write(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  std::string line = format_log_line(std::chrono::system_clock::now(), level, message, fields);
  line += '\n';
  const std::lock_guard lock(g_write);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace netprobe::log
