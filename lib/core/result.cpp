#include "result.hpp"

#include <ctime>

#include <nlohmann/json.hpp>

namespace netprobe {

std::string format_time(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::ordered_json to_json(const ProbeResult& result) {
  return nlohmann::ordered_json{
      {"probe", result.probe},
      {"type", to_string(result.type)},
      {"target", result.target},
      {"transport", result.transport},
      {"expect", to_string(result.expect)},
      {"node", result.node},
      {"namespace", result.ns},
      {"outcome", to_string(result.outcome)},
      {"success", result.success},
      {"duration_seconds", result.duration_seconds},
      {"detail", result.detail},
      {"time", format_time(result.time)},
  };
}

}  // namespace netprobe
