#include "verdict.hpp"

namespace netprobe {

std::string_view to_string(Expect expect) { return expect == Expect::allow ? "allow" : "deny"; }

std::optional<Expect> parse_expect(std::string_view name) {
  if (name == "allow") return Expect::allow;
  if (name == "deny") return Expect::deny;
  return std::nullopt;
}

bool verdict(Expect expect, Outcome outcome) {
  if (expect == Expect::allow) return outcome == Outcome::ok;
  return outcome == Outcome::timeout || outcome == Outcome::refused ||
         outcome == Outcome::unreachable;
}

}  // namespace netprobe
