#pragma once
// A point-in-time copy of a histogram, in the shape the Prometheus text format wants.
#include <cstdint>
#include <vector>

namespace metrics {

struct HistogramSnapshot {
  // Finite upper bounds in seconds, strictly ascending; the +Inf bucket is implicit.
  std::vector<double> upper_bounds_seconds;
  // PER-BUCKET (not cumulative) counts: bucket_counts[i] counts values in
  // (upper_bounds_seconds[i-1], upper_bounds_seconds[i]]; the last entry (index
  // upper_bounds_seconds.size()) is the overflow bucket above the largest bound.
  // Size is upper_bounds_seconds.size() + 1.
  std::vector<uint64_t> bucket_counts;
  double sum_seconds = 0;
  uint64_t count = 0;  // equals the sum of bucket_counts

  // Estimates the q-quantile (0 <= q <= 1, clamped) in seconds by linear interpolation inside
  // the bucket that holds the rank, the way Prometheus' histogram_quantile() does: the first
  // bucket starts at 0, a rank in the overflow bucket returns the largest finite bound.
  // NaN when empty or malformed.
  double quantile(double q) const;
};

}  // namespace metrics
