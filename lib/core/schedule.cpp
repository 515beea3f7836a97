#include "schedule.hpp"

#include <cstdint>
#include <initializer_list>

namespace netprobe {

namespace {

// FNV-1a over the pieces, each followed by '/', so ("ab", "c") and ("a", "bc") differ.
std::uint64_t hash_of(std::initializer_list<std::string_view> pieces) {
  std::uint64_t hash = 14695981039346656037ULL;
  const auto mix = [&hash](char c) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  };
  for (std::string_view piece : pieces) {
    for (char c : piece) mix(c);
    mix('/');
  }
  return hash;
}

}  // namespace

Millis spread_offset(std::string_view node, const CheckKey& check, Millis interval) {
  if (interval.count() <= 0) return Millis{0};
  const auto span = static_cast<std::uint64_t>(interval.count());
  const std::uint64_t own = hash_of({node, check.probe, check.target, check.transport});
  const std::uint64_t width = span / kStartsPerInterval;
  if (width == 0) return Millis{static_cast<Millis::rep>(own % span)};  // under 10 ms: no room for groups
  const std::uint64_t phase = hash_of({node}) % width;
  const std::uint64_t start = own % kStartsPerInterval;
  return Millis{static_cast<Millis::rep>(phase + start * width)};  // < kStartsPerInterval × width <= span
}

std::chrono::steady_clock::time_point next_slot(std::chrono::steady_clock::time_point slot, Millis interval,
                                                std::chrono::steady_clock::time_point now) {
  auto next = slot + interval;
  if (next < now) next += ((now - next) / interval + 1) * interval;
  return next;
}

}  // namespace netprobe
