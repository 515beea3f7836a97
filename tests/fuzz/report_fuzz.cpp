// Agent reports (POST /api/v1/reports): JSON from any pod the controller admits.
#include <nlohmann/json.hpp>

#include "core/report.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const netprobe::AgentReport report = netprobe::parse_report(netprobe::fuzz::as_text(data, size));
    (void)netprobe::report_to_json(report).dump();  // what was accepted can be written back
  } catch (const netprobe::FieldError& error) {
    netprobe::fuzz::require_message(error);
  }
  return 0;
}
