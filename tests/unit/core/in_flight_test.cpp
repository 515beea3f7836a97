#include "core/in_flight.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace netprobe;

TEST_CASE("work is counted while it runs, and uncounted however it ends") {
  std::size_t count = 0;
  {
    const InFlight first(count);
    const InFlight second(count);
    CHECK(count == 2);
  }
  CHECK(count == 0);
  try {
    const InFlight failing(count);
    throw std::runtime_error("failed");
  } catch (const std::runtime_error&) {
    CHECK(count == 0);
  }
}
