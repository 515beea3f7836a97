#pragma once
// Deterministic corruptions of a valid input, for the tests that show bad input
// (configs, reports, API bodies, manifests) gets a clear error, never a crash or
// a stray exception type. Seeded, so a failure names an input that reproduces.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace netprobe::testing {

// `count` variants of `valid`, each with one to three edits: a byte replaced by a
// character that matters to JSON or YAML, a range deleted or duplicated, a cut,
// or deep nesting inserted.
inline std::vector<std::string> corruptions(const std::string& valid, std::size_t count, std::uint32_t seed = 1) {
  using namespace std::string_view_literals;  // the literal holds a NUL: its size must not stop there
  static constexpr std::string_view kSpecial = "{}[]:,\"'-#&*!|>%@`\n\t 0-9.eE+\\\x00\xff\xe9\xc3"sv;
  std::mt19937 random(seed);
  const auto pick = [&](std::size_t bound) { return std::uniform_int_distribution<std::size_t>(0, bound)(random); };
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string text = valid;
    for (std::size_t edits = 1 + pick(2); edits > 0 && !text.empty(); --edits) {
      const std::size_t at = pick(text.size() - 1);
      const std::size_t length = 1 + pick(std::min<std::size_t>(16, text.size() - at - 1));
      switch (pick(5)) {
        case 0: text[at] = kSpecial[pick(kSpecial.size() - 1)]; break;
        case 1: text.erase(at, length); break;
        case 2: text.insert(at, text.substr(at, length)); break;
        case 3: text.resize(at); break;
        case 4: text.insert(at, std::string(200, '[')); break;
        default: text.insert(at, std::string(1, kSpecial[pick(kSpecial.size() - 1)])); break;
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace netprobe::testing
