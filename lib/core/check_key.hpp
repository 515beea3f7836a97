#pragma once
// What names a check everywhere: (probe, target, transport). The agent's
// series and the results it reports, the controller's store and its alerts
// are all keyed by it; a node or namespace, where needed, is keyed beside it.
#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>

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

// The same three fields without copies: finds a CheckKey in a map ordered by
// std::less<>, where the agent looks up every result of every run.
struct CheckKeyRef {
  std::string_view probe;
  std::string_view target;
  std::string_view transport;
};

template <typename T>
CheckKeyRef key_ref_of(const T& keyed) {
  return CheckKeyRef{keyed.probe, keyed.target, keyed.transport};
}

inline std::strong_ordering operator<=>(const CheckKey& key, const CheckKeyRef& ref) {
  return std::tuple<std::string_view, std::string_view, std::string_view>(key.probe, key.target, key.transport) <=>
         std::tuple(ref.probe, ref.target, ref.transport);
}

}  // namespace netprobe
