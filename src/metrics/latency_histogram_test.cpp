#include "metrics/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "metrics/prometheus_writer.hpp"

namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, BucketsAreInclusiveUpperBounds) {
  metrics::LatencyHistogram h;
  h.record(50us);    // exactly on the first bound: first bucket
  h.record(51us);    // second
  h.record(-5ms);    // negative: zero, first bucket
  h.record(1s);      // last finite bucket
  h.record(1001ms);  // overflow
  const auto s = h.snapshot();
  ASSERT_EQ(s.upper_bounds_seconds.size(), 16u);
  ASSERT_EQ(s.bucket_counts.size(), 17u);
  EXPECT_DOUBLE_EQ(s.upper_bounds_seconds.front(), 50e-6);
  EXPECT_DOUBLE_EQ(s.upper_bounds_seconds.back(), 1.0);
  EXPECT_EQ(s.bucket_counts[0], 2u);
  EXPECT_EQ(s.bucket_counts[1], 1u);
  EXPECT_EQ(s.bucket_counts[15], 1u);
  EXPECT_EQ(s.bucket_counts[16], 1u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_NEAR(s.sum_seconds, 50e-6 + 51e-6 + 1.0 + 1.001, 1e-12);
}

TEST(LatencyHistogram, QuantilesInterpolateWithinBucket) {
  metrics::LatencyHistogram h;
  EXPECT_TRUE(std::isnan(h.quantile(0.5)));
  // 100 values in (1.5 ms, 2 ms], 100 in (3 ms, 5 ms].
  for (int i = 0; i < 100; ++i)
    h.record(1800us);
  for (int i = 0; i < 100; ++i)
    h.record(4ms);
  EXPECT_NEAR(h.quantile(0.25), 0.00175, 1e-12);  // rank 50 of 100 in [1.5 ms, 2 ms]
  EXPECT_NEAR(h.quantile(0.5), 0.002, 1e-12);     // rank 100: top of the first filled bucket
  EXPECT_NEAR(h.quantile(0.95), 0.003 + 0.002 * 0.9, 1e-12);
  EXPECT_NEAR(h.quantile(1.0), 0.005, 1e-12);
  EXPECT_NEAR(h.quantile(7.0), 0.005, 1e-12);  // clamped
  h.record(10s);
  EXPECT_NEAR(h.quantile(1.0), 1.0, 1e-12);  // overflow bucket: largest finite bound
}

TEST(LatencyHistogram, FirstBucketStartsAtZero) {
  metrics::HistogramSnapshot s;
  s.upper_bounds_seconds = {0.1, 0.2};
  s.bucket_counts = {10, 10, 0};
  s.count = 20;
  EXPECT_NEAR(s.quantile(0.1), 0.02, 1e-12);
  EXPECT_NEAR(s.quantile(0.75), 0.15, 1e-12);
  EXPECT_NEAR(s.quantile(0.0), 0.0, 1e-12);
  s.bucket_counts = {1, 2};  // wrong shape
  EXPECT_TRUE(std::isnan(s.quantile(0.5)));
}

TEST(LatencyHistogram, ConcurrentRecordingSumsRight) {
  metrics::LatencyHistogram h;
  constexpr int PerThread = 200'000;
  auto work = [&h](std::chrono::nanoseconds d) {
    for (int i = 0; i < PerThread; ++i)
      h.record(d);
  };
  std::thread a(work, 80us);
  std::thread b(work, 3ms);
  a.join();
  b.join();
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 2u * PerThread);
  EXPECT_EQ(s.bucket_counts[1], static_cast<uint64_t>(PerThread));  // (50, 100] us
  EXPECT_EQ(s.bucket_counts[7], static_cast<uint64_t>(PerThread));  // (2, 3] ms
  EXPECT_NEAR(s.sum_seconds, PerThread * (80e-6 + 3e-3), 1e-6);
}

TEST(LatencyHistogram, ExportsWithInfEqualToCount) {
  metrics::LatencyHistogram h;
  for (int i = 0; i < 7; ++i)
    h.record(std::chrono::milliseconds(i * 300));
  metrics::PrometheusWriter w;
  w.family("lat_seconds", "x", metrics::PrometheusWriter::Type::Histogram);
  w.histogram("lat_seconds", {}, h.snapshot());
  const auto text = w.take();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"5e-05\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"1\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_count 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_sum 6.3\n"), std::string::npos) << text;
}

}  // namespace
