// metadata: placeholder until the metadata prober lands.
#include "prober.hpp"

namespace netprobe {
boost::asio::awaitable<Observation> probe_metadata(const Check&, ProbeEnv&) {
  co_return Observation{Outcome::error, "metadata prober not implemented yet"};
}
}  // namespace netprobe
