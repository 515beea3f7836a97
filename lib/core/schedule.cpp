#include "schedule.hpp"

#include <cstdint>

namespace netprobe {

std::string spread_key(std::string_view node, const CheckKey& check) {
  std::string key(node);
  for (const std::string* part : {&check.probe, &check.target, &check.transport}) key += "/" + *part;
  return key;
}

Millis spread_offset(std::string_view key, Millis interval) {
  if (interval.count() <= 0) return Millis{0};
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a
  for (char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return Millis{static_cast<Millis::rep>(hash % static_cast<std::uint64_t>(interval.count()))};
}

std::chrono::steady_clock::time_point next_slot(std::chrono::steady_clock::time_point slot, Millis interval,
                                                std::chrono::steady_clock::time_point now) {
  auto next = slot + interval;
  if (next < now) next += ((now - next) / interval + 1) * interval;
  return next;
}

}  // namespace netprobe
