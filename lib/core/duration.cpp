#include "duration.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>

namespace netprobe {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Longest suffix first so "ms" is not read as "m" followed by junk.
constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return Millis{0};
  std::int64_t total = 0;
  while (!text.empty()) {
    // number: digits with an optional fraction, e.g. "1.5"
    std::int64_t whole = 0;
    std::int64_t fraction = 0;
    std::int64_t fraction_scale = 1;
    std::size_t i = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      if (whole > std::numeric_limits<std::int64_t>::max() / 10 - 10) return std::nullopt;
      whole = whole * 10 + (text[i] - '0');
    }
    const std::size_t whole_digits = i;
    if (i < text.size() && text[i] == '.') {
      ++i;
      for (; i < text.size() && is_digit(text[i]); ++i) {
        if (fraction_scale >= 1'000'000'000) return std::nullopt;
        fraction = fraction * 10 + (text[i] - '0');
        fraction_scale *= 10;
      }
      if (fraction_scale == 1) return std::nullopt;  // "1." has no fraction digits
    }
    if (whole_digits == 0) return std::nullopt;
    text.remove_prefix(i);

    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.starts_with(candidate.suffix)) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    text.remove_prefix(unit->suffix.size());

    if (whole > std::numeric_limits<std::int64_t>::max() / unit->millis) return std::nullopt;
    const std::int64_t scaled_fraction = fraction * unit->millis;
    if (scaled_fraction % fraction_scale != 0) return std::nullopt;  // finer than 1ms
    const std::int64_t part = whole * unit->millis + scaled_fraction / fraction_scale;
    if (total > std::numeric_limits<std::int64_t>::max() - part) return std::nullopt;
    total += part;
  }
  return Millis{total};
}

std::string format_duration(Millis duration) {
  const std::int64_t ms = duration.count();
  if (ms == 0) return "0s";
  if (ms % 1000 != 0 && ms < 1000) return std::to_string(ms) + "ms";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms >= 60'000) return std::to_string(ms / 60'000) + "m";
  std::string text = std::to_string(ms / 1000);
  if (const std::int64_t rest = ms % 1000; rest != 0) {
    std::string digits = std::to_string(rest);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text + "s";
}

std::string format_age(Millis age) {
  const std::int64_t seconds = std::max<std::int64_t>(age.count(), 0) / 1000;
  struct AgeUnit {
    std::int64_t seconds;
    const char* name;
  };
  static constexpr AgeUnit kUnits[] = {{86'400, "d"}, {3'600, "h"}, {60, "m"}, {1, "s"}};
  for (std::size_t i = 0; i + 1 < std::size(kUnits); ++i) {
    if (seconds < kUnits[i].seconds) continue;
    std::string text = std::to_string(seconds / kUnits[i].seconds) + kUnits[i].name;
    if (const std::int64_t rest = seconds % kUnits[i].seconds / kUnits[i + 1].seconds; rest != 0) {
      text += std::to_string(rest) + kUnits[i + 1].name;
    }
    return text;
  }
  return std::to_string(seconds) + "s";
}

}  // namespace netprobe
