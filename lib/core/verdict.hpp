#pragma once
// Whether an outcome is a success, judged against what the probe expects.
#include <optional>
#include <string_view>

#include "enum_table.hpp"
#include "outcome.hpp"

namespace netprobe {

enum class Expect { allow, deny };

inline constexpr EnumTable kExpects{std::array{
    EnumEntry<Expect>{Expect::allow, "allow", "the path must work"},
    EnumEntry<Expect>{Expect::deny, "deny", "the path must be blocked: no connection, no answer"},
}};
inline std::string_view to_string(Expect expect) { return kExpects.name(expect); }
inline std::optional<Expect> parse_expect(std::string_view name) { return kExpects.parse(name); }

// allow: the path must work (`ok`). deny: the connection must not be
// established (`timeout`, `refused`, `unreachable`); anything else, including
// `ok`, means the policy is not doing its job or the probe could not tell.
bool verdict(Expect expect, Outcome outcome);

}  // namespace netprobe
