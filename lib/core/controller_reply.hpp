#pragma once
// What an agent takes from a controller's reply to its report:
//   {"accepted": N, "probes": [ …probes as in the config file… ],
//    "adhoc": {"allow_cidrs": [...], "allow_suffixes": [...], "max_timeout": "10s"}}
// Anything that answers on a controller URL (plain HTTP, or a compromised
// replica) writes this, so it is read like any input from outside: bounded in
// size and depth, every probe checked by the config reader, and a bad probe
// skipped with its error rather than taking the others down.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adhoc.hpp"
#include "probe_config.hpp"
#include "probe_spec.hpp"

namespace netprobe {

// More probes than any controller assigns; each expands into checks.
inline constexpr std::size_t kMaxAssignedProbes = 500;

struct ControllerReply {
  std::vector<std::shared_ptr<const ProbeSpec>> probes;
  std::vector<std::string> skipped;  // why each unusable probe was left out
  std::optional<AdhocConfig> adhoc;  // absent from older controllers
  std::string assignment;            // the probes list as sent, to notice a change
};

// Throws FieldError (core/report.hpp) naming the field when the reply as a
// whole is unusable (not JSON, too deep, "probes" not a list, a bad "adhoc").
ControllerReply read_controller_reply(std::string_view body, const ProbeDefaults& defaults);

}  // namespace netprobe
