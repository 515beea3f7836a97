// The controller's reply to a report, as an agent reads it: anything that
// answers on a controller URL (plain HTTP, a compromised replica) writes it.
#include "core/controller_reply.hpp"
#include "core/probe_json.hpp"
#include "core/report.hpp"
#include "fuzz_target.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const netprobe::ControllerReply reply =
        netprobe::read_controller_reply(netprobe::fuzz::as_text(data, size), netprobe::ProbeDefaults{});
    for (const auto& probe : reply.probes) (void)netprobe::to_json(*probe).dump();  // what was taken can be written back
    for (const std::string& reason : reply.skipped) {
      if (reason.empty()) throw std::logic_error("a probe skipped without a reason");
    }
  } catch (const netprobe::FieldError& error) {
    netprobe::fuzz::require_message(error);
  }
  return 0;
}
