// The small parsers every config and API value goes through: durations,
// host:port endpoints, listen addresses and URLs. They answer nullopt on bad
// input and must never throw.
#include <cstdint>

#include "core/duration.hpp"
#include "core/endpoint.hpp"
#include "core/url.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = netprobe::fuzz::as_text(data, size);
  if (const auto duration = netprobe::parse_duration(text)) {
    // What reads must format, and the formatted text must read back the same.
    if (netprobe::parse_duration(netprobe::format_duration(*duration)) != duration) {
      throw std::logic_error("a duration does not read back");
    }
  }
  (void)netprobe::parse_endpoint(text);
  (void)netprobe::parse_endpoint(text, std::uint16_t{53});
  (void)netprobe::parse_listen_address(text);
  netprobe::UrlError error;
  if (!netprobe::parse_http_url(text, &error) && error.message.empty()) {
    throw std::logic_error("a URL refused without a reason");
  }
  return 0;
}
