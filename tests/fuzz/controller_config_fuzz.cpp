// The controller's YAML configuration.
#include "core/controller_config.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)netprobe::parse_controller_config(netprobe::fuzz::as_text(data, size), "controller.yaml");
  } catch (const netprobe::ConfigError& error) {
    netprobe::fuzz::require_message(error);
  }
  return 0;
}
