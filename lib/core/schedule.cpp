#include "schedule.hpp"

#include <cstdint>

namespace netprobe {

Millis spread_offset(std::string_view key, Millis interval) {
  if (interval.count() <= 0) return Millis{0};
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a
  for (char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return Millis{static_cast<Millis::rep>(hash % static_cast<std::uint64_t>(interval.count()))};
}

}  // namespace netprobe
