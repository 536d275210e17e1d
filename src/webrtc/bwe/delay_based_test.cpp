// Packet grouping, the trendline and the over-use detector in isolation.
#include <gtest/gtest.h>

#include "webrtc/bwe/inter_arrival.hpp"
#include "webrtc/bwe/overuse_detector.hpp"
#include "webrtc/bwe/trendline_estimator.hpp"

namespace webrtc::bwe {
namespace {

using namespace std::chrono_literals;

TimePoint sent_at(std::chrono::microseconds t) {
  return TimePoint{} + 100s + t;
}

TEST(InterArrivalTest, PacketsSentWithinFiveMillisecondsAreOneGroup) {
  InterArrival groups;
  EXPECT_FALSE(groups.add(sent_at(0ms), 0ms));
  EXPECT_FALSE(groups.add(sent_at(4ms), 6ms));
  EXPECT_FALSE(groups.add(sent_at(20ms), 30ms));  // second group starts
  EXPECT_FALSE(groups.add(sent_at(21ms), 31ms));
  auto delta = groups.add(sent_at(40ms), 60ms);  // third starts: second vs first
  ASSERT_TRUE(delta);
  EXPECT_DOUBLE_EQ(delta->send_delta_ms, 17.0);     // 21 - 4
  EXPECT_DOUBLE_EQ(delta->arrival_delta_ms, 25.0);  // 31 - 6
}

TEST(InterArrivalTest, BurstReleasedAfterAStallJoinsTheGroup) {
  InterArrival groups;
  groups.add(sent_at(0ms), 100ms);
  // Sent 10 ms later but arriving 1 ms after: it queued behind the group (5.2).
  EXPECT_FALSE(groups.add(sent_at(10ms), 101ms));
  groups.add(sent_at(30ms), 130ms);
  auto delta = groups.add(sent_at(60ms), 160ms);
  ASSERT_TRUE(delta);
  EXPECT_DOUBLE_EQ(delta->send_delta_ms, 20.0);  // 30 - 10: the first group ends at 10 ms
}

TEST(InterArrivalTest, IgnoresPacketsSentBeforeTheCurrentGroupAndResetsOnClockJumps) {
  InterArrival groups;
  groups.add(sent_at(100ms), 100ms);
  EXPECT_FALSE(groups.add(sent_at(50ms), 90ms));
  EXPECT_EQ(groups.ignored(), 1u);
  EXPECT_FALSE(groups.add(sent_at(120ms), 10'000ms));
  EXPECT_EQ(groups.resets(), 1u);
}

TEST(TrendlineEstimatorTest, GrowingQueueGivesAPositiveTrendAndSteadyOneNone) {
  TrendlineEstimator growing;
  TrendlineEstimator steady;
  double time = 0;
  for (int i = 0; i < 40; ++i) {
    time += 33;
    growing.update(GroupDelta{33, 36, time});  // each group 3 ms later than sent
    steady.update(GroupDelta{33, 33, time});
  }
  EXPECT_GT(growing.slope(), 0.05);
  EXPECT_GT(growing.trend_ms(), 12.5);
  EXPECT_NEAR(steady.trend_ms(), 0.0, 1e-9);
}

TEST(OveruseDetectorTest, OveruseNeedsToPersistAndGrow) {
  OveruseDetector detector;
  EXPECT_EQ(detector.detect(20, 4), BandwidthUsage::kNormal);  // 2 ms over: not yet
  EXPECT_EQ(detector.detect(19, 4), BandwidthUsage::kNormal);  // 6 ms, shrinking
  EXPECT_EQ(detector.detect(21, 10), BandwidthUsage::kOverusing);
}

TEST(OveruseDetectorTest, NegativeTrendIsUnderuse) {
  OveruseDetector detector;
  EXPECT_EQ(detector.detect(-20, 33), BandwidthUsage::kUnderusing);
  EXPECT_EQ(detector.detect(0, 33), BandwidthUsage::kNormal);
}

TEST(OveruseDetectorTest, ThresholdAdaptsWithinItsBounds) {
  OveruseDetector detector;
  for (int i = 0; i < 100; ++i)
    detector.detect(0, 33);
  EXPECT_DOUBLE_EQ(detector.threshold_ms(), 6.0);
  // A trend just above the threshold pulls it up slowly (k_up)...
  for (int i = 0; i < 1000; ++i)
    detector.detect(detector.threshold_ms() + 10, 33);
  EXPECT_DOUBLE_EQ(detector.threshold_ms(), 600.0);
  // ... but a spike far above it does not move it (5.4).
  OveruseDetector fresh;
  fresh.detect(500, 33);
  EXPECT_DOUBLE_EQ(fresh.threshold_ms(), 12.5);
}

TEST(OveruseDetectorTest, NonFiniteInputKeepsState) {
  OveruseDetector detector;
  EXPECT_EQ(detector.detect(std::numeric_limits<double>::quiet_NaN(), 33), BandwidthUsage::kNormal);
  EXPECT_EQ(detector.detect(std::numeric_limits<double>::infinity(), 33), BandwidthUsage::kNormal);
  EXPECT_DOUBLE_EQ(detector.threshold_ms(), 12.5);
}

}  // namespace
}  // namespace webrtc::bwe
