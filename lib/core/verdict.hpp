#pragma once
// Whether an outcome is a success, judged against what the probe expects.
#include <optional>
#include <string_view>

#include "outcome.hpp"

namespace netprobe {

enum class Expect { allow, deny };

std::string_view to_string(Expect expect);
std::optional<Expect> parse_expect(std::string_view name);

// allow: the path must work (`ok`). deny: the connection must not be
// established (`timeout`, `refused`, `unreachable`); anything else, including
// `ok`, means the policy is not doing its job or the probe could not tell.
bool verdict(Expect expect, Outcome outcome);

}  // namespace netprobe
