#pragma once
// Percentiles of a run's samples.
#include <algorithm>
#include <cmath>
#include <vector>

namespace netprobe::bench {

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};


inline Percentiles percentiles(std::vector<double> values) {
  Percentiles p;
  if (values.empty()) return p;
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) {
    const auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1;
    return values[std::min(index, values.size() - 1)];
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.max = values.back();
  return p;
}

}  // namespace netprobe::bench
