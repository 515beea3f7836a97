#include "verdict.hpp"

namespace netprobe {

bool verdict(Expect expect, Outcome outcome) {
  if (expect == Expect::allow) return outcome == Outcome::ok;
  return outcome == Outcome::timeout || outcome == Outcome::refused ||
         outcome == Outcome::unreachable;
}

}  // namespace netprobe
