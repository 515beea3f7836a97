#pragma once
// A probe spec written back in the config's own keys, so it can be sent to an
// agent (report replies, ad hoc fan-out) and read there by the same validator.
#include <nlohmann/json_fwd.hpp>

#include "probe_spec.hpp"

namespace netprobe {

nlohmann::ordered_json to_json(const ProbeSpec& spec);

}  // namespace netprobe
