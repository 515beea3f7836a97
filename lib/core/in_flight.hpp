#pragma once
// Counts a piece of work while it runs, however it ends (returned, thrown,
// cancelled): what the daemons' drains on SIGTERM wait for.
#include <cstddef>

namespace netprobe {

class InFlight {
 public:
  explicit InFlight(std::size_t& count) : count_(count) { ++count_; }
  ~InFlight() { --count_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::size_t& count_;
};

}  // namespace netprobe
