#include "core/natural_order.hpp"

#include <cstddef>

namespace netprobe {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The end of the run of digits starting at `from`.
std::size_t digits_end(std::string_view text, std::size_t from) {
  while (from < text.size() && is_digit(text[from])) ++from;
  return from;
}

}  // namespace

bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  int zeros_tiebreak = 0;  // the first run where equal values differ in leading zeros decides a full tie
  while (i < a.size() && j < b.size()) {
    if (!is_digit(a[i]) || !is_digit(b[j])) {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i, ++j;
      continue;
    }
    const std::size_t a_end = digits_end(a, i), b_end = digits_end(b, j);
    std::size_t a_value = i, b_value = j;  // the runs without leading zeros
    while (a_value + 1 < a_end && a[a_value] == '0') ++a_value;
    while (b_value + 1 < b_end && b[b_value] == '0') ++b_value;
    const std::string_view a_digits = a.substr(a_value, a_end - a_value), b_digits = b.substr(b_value, b_end - b_value);
    if (a_digits.size() != b_digits.size()) return a_digits.size() < b_digits.size();  // any length of digits
    if (a_digits != b_digits) return a_digits < b_digits;
    if (zeros_tiebreak == 0 && a_end - i != b_end - j) zeros_tiebreak = a_end - i < b_end - j ? -1 : 1;
    i = a_end, j = b_end;
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return zeros_tiebreak < 0;
}

}  // namespace netprobe
