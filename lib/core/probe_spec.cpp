#include "probe_spec.hpp"

namespace netprobe {

// ProbeSpec::type() relies on the variant's order matching the enum.
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::dns), ProbeParams>, DnsSpec>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::tcp), ProbeParams>, TcpSpec>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::http), ProbeParams>, HttpSpec>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::metadata), ProbeParams>, MetadataSpec>);

std::string_view to_string(ProbeType type) {
  switch (type) {
    case ProbeType::dns: return "dns";
    case ProbeType::tcp: return "tcp";
    case ProbeType::http: return "http";
    case ProbeType::metadata: return "metadata";
  }
  return "dns";
}

std::string_view to_string(DnsTransport transport) {
  return transport == DnsTransport::udp ? "udp" : "tcp";
}

std::string_view to_string(MetadataFlavor flavor) {
  switch (flavor) {
    case MetadataFlavor::tcp: return "tcp";
    case MetadataFlavor::aws: return "aws";
    case MetadataFlavor::gcp: return "gcp";
    case MetadataFlavor::azure: return "azure";
  }
  return "tcp";
}

}  // namespace netprobe
