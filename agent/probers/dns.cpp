// dns: placeholder until the c-ares prober lands.
#include "prober.hpp"

namespace netprobe {
boost::asio::awaitable<Observation> probe_dns(const Check&, ProbeEnv&) {
  co_return Observation{Outcome::error, "dns prober not implemented yet"};
}
}  // namespace netprobe
