// http: placeholder until the Beast prober lands.
#include "prober.hpp"

namespace netprobe {
boost::asio::awaitable<Observation> probe_http(const Check&, ProbeEnv&) {
  co_return Observation{Outcome::error, "http prober not implemented yet"};
}
}  // namespace netprobe
