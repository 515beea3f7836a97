#include "probe_spec.hpp"

namespace netprobe {

// ProbeSpec::type() relies on the variant's order matching the enum.
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::dns), ProbeParams>, DnsSpec>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::tcp), ProbeParams>, TcpSpec>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::http), ProbeParams>, HttpSpec>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(ProbeType::metadata), ProbeParams>, MetadataSpec>);
static_assert(kProbeTypes.size() == std::variant_size_v<ProbeParams>);

}  // namespace netprobe
