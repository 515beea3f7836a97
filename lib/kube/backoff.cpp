#include "backoff.hpp"

#include <algorithm>

namespace netprobe::kube {

std::chrono::milliseconds Backoff::next(std::mt19937_64& random) {
  std::uniform_real_distribution<double> stretch(1.0, 1.5);
  const auto wait = std::chrono::milliseconds{static_cast<long long>(static_cast<double>(base_.count()) * stretch(random))};
  base_ = std::min(base_ * 2, kMost);
  return std::min(wait, kMost);
}

}  // namespace netprobe::kube
