// The agent's YAML configuration, as an operator (or a broken ConfigMap) writes it.
#include "core/agent_config.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)netprobe::parse_agent_config(netprobe::fuzz::as_text(data, size), "agent.yaml");
  } catch (const netprobe::ConfigError& error) {
    netprobe::fuzz::require_message(error);
  }
  return 0;
}
