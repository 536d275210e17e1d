#pragma once
// Latency histogram for hot paths: record() is a few relaxed atomic adds into a fixed bucket
// array, with no lock and no allocation, safe from any number of threads. Readers take a
// snapshot() (allocates) for /metrics or for p50/p95/p99 in benchmarks.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "metrics/histogram_snapshot.hpp"

namespace metrics {

class LatencyHistogram {
 public:
  // Inclusive upper bounds (Prometheus "le") in microseconds; one more bucket above for +Inf.
  // 1.5 and 3 ms split the range where a loop's fan-out to a few hundred viewers falls.
  static constexpr std::array<uint64_t, 16> UpperBoundsMicros{
      50,    100,    250,    500,    1'000,   1'500,   2'000,   3'000,
      5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000};
  static constexpr size_t BucketCount = UpperBoundsMicros.size() + 1;

  // Negative durations count as zero.
  void record(std::chrono::nanoseconds duration) noexcept;

  // Buckets are read one by one while writers may be adding: the snapshot's count is the sum
  // of the bucket counts it read (so "+Inf" always equals "_count"); the sum may lead or lag
  // by the records in flight.
  HistogramSnapshot snapshot() const;
  double quantile(double q) const { return snapshot().quantile(q); }

 private:
  std::array<std::atomic<uint64_t>, BucketCount> buckets_{};
  std::atomic<uint64_t> sum_nanos_{0};
};

}  // namespace metrics
