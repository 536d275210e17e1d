#include "metrics/latency_histogram.hpp"

namespace metrics {

void LatencyHistogram::record(std::chrono::nanoseconds duration) noexcept {
  const int64_t raw = duration.count();
  const uint64_t nanos = raw < 0 ? 0 : static_cast<uint64_t>(raw);
  size_t bucket = UpperBoundsMicros.size();
  // A linear scan over 14 bounds beats a binary search here: latencies cluster in the first few.
  for (size_t i = 0; i < UpperBoundsMicros.size(); ++i) {
    if (nanos <= UpperBoundsMicros[i] * 1000) {
      bucket = i;
      break;
    }
  }
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
}

HistogramSnapshot LatencyHistogram::snapshot() const {
  HistogramSnapshot out;
  out.upper_bounds_seconds.reserve(UpperBoundsMicros.size());
  for (const uint64_t micros : UpperBoundsMicros) {
    out.upper_bounds_seconds.push_back(static_cast<double>(micros) / 1e6);
  }
  out.bucket_counts.reserve(BucketCount);
  for (const auto& bucket : buckets_) {
    const uint64_t n = bucket.load(std::memory_order_relaxed);
    out.bucket_counts.push_back(n);
    out.count += n;
  }
  out.sum_seconds = static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

}  // namespace metrics
