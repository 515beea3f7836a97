#pragma once
// What names a check everywhere: (probe, target, transport). The agent's
// series and the results it reports, the controller's store and its alerts
// are all keyed by it; a node or namespace, where needed, is keyed beside it.
#include <compare>
#include <cstddef>
#include <string>

namespace netprobe {

struct CheckKey {
  std::string probe;
  std::string target;
  std::string transport;

  auto operator<=>(const CheckKey&) const = default;  // ordered by probe, then target, then transport
  bool operator==(const CheckKey&) const = default;
};

struct CheckKeyHash {
  std::size_t operator()(const CheckKey& key) const noexcept;
};

// Anything with probe, target and transport members: a ProbeResult, a TargetView.
template <typename T>
CheckKey key_of(const T& keyed) {
  return CheckKey{keyed.probe, keyed.target, keyed.transport};
}

}  // namespace netprobe
