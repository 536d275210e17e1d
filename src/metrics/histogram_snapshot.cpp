#include "metrics/histogram_snapshot.hpp"

#include <algorithm>
#include <limits>

namespace metrics {

double HistogramSnapshot::quantile(double q) const {
  const size_t finite = upper_bounds_seconds.size();
  if (count == 0 || bucket_counts.size() != finite + 1 || q != q) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(count);
  uint64_t below = 0;
  for (size_t i = 0; i < bucket_counts.size(); ++i) {
    const uint64_t in_bucket = bucket_counts[i];
    if (in_bucket == 0 || static_cast<double>(below + in_bucket) < rank) {
      below += in_bucket;
      continue;
    }
    // Values above the largest bound have no upper edge to interpolate towards.
    if (i == finite)
      return finite == 0 ? std::numeric_limits<double>::quiet_NaN()
                         : upper_bounds_seconds[finite - 1];
    const double lower = i == 0 ? 0.0 : upper_bounds_seconds[i - 1];
    const double upper = upper_bounds_seconds[i];
    const double fraction = (rank - static_cast<double>(below)) / static_cast<double>(in_bucket);
    return lower + (upper - lower) * std::clamp(fraction, 0.0, 1.0);
  }
  return finite == 0 ? std::numeric_limits<double>::quiet_NaN() : upper_bounds_seconds.back();
}

}  // namespace metrics
