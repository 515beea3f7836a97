// An ad hoc probe: the "probe" object of POST /api/v1/probe (agent) and
// POST /api/v1/probes (controller), read by the config file's reader.
#include <nlohmann/json.hpp>

#include "core/probe_config.hpp"
#include "core/probe_json.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const netprobe::ProbeSpec spec =
        netprobe::parse_probe_document(netprobe::fuzz::as_text(data, size), "probe", netprobe::ProbeDefaults{});
    (void)netprobe::to_json(spec).dump();  // what the controller sends on to the agents
  } catch (const netprobe::ConfigError& error) {
    netprobe::fuzz::require_message(error);
  }
  return 0;
}
