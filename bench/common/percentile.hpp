#pragma once
// The p-quantile (0..1) of measured latencies, nearest rank below, for the benchmark tools.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace siteseek::bench {

/// Sorts `v` and returns its p-quantile (p = 0.5: the median); `v` must not be empty.
inline double percentile(std::vector<double>& v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace siteseek::bench
