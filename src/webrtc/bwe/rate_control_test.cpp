// AIMD, loss-based control and the acknowledged bitrate in isolation.
#include <gtest/gtest.h>

#include "webrtc/bwe/acknowledged_bitrate.hpp"
#include "webrtc/bwe/aimd_rate_control.hpp"
#include "webrtc/bwe/loss_based_control.hpp"

namespace webrtc::bwe {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart = TimePoint{} + 100s;

TEST(AimdRateControlTest, OveruseDecreasesToBetaTimesAcknowledged) {
  AimdRateControl aimd;
  aimd.update(BandwidthUsage::kNormal, 900'000, kStart, 50ms);
  aimd.update(BandwidthUsage::kOverusing, 800'000, kStart + 100ms, 50ms);
  EXPECT_EQ(aimd.state(), RateControlState::kDecrease);
  EXPECT_EQ(aimd.estimate_bps(), 680'000);
  // Still over-using 100 ms later: within the response time, no second decrease.
  aimd.update(BandwidthUsage::kOverusing, 700'000, kStart + 200ms, 50ms);
  EXPECT_EQ(aimd.estimate_bps(), 680'000);
  aimd.update(BandwidthUsage::kOverusing, 700'000, kStart + 400ms, 50ms);
  EXPECT_EQ(aimd.estimate_bps(), 595'000);
}

TEST(AimdRateControlTest, StateTableOfTheDraft) {
  AimdRateControl aimd;
  aimd.update(BandwidthUsage::kOverusing, std::nullopt, kStart, 50ms);
  EXPECT_EQ(aimd.state(), RateControlState::kDecrease);
  EXPECT_EQ(aimd.estimate_bps(), 850'000);  // no acknowledged rate: beta x estimate
  aimd.update(BandwidthUsage::kNormal, std::nullopt, kStart + 100ms, 50ms);
  EXPECT_EQ(aimd.state(), RateControlState::kHold);
  aimd.update(BandwidthUsage::kNormal, std::nullopt, kStart + 200ms, 50ms);
  EXPECT_EQ(aimd.state(), RateControlState::kIncrease);
  aimd.update(BandwidthUsage::kUnderusing, std::nullopt, kStart + 300ms, 50ms);
  EXPECT_EQ(aimd.state(), RateControlState::kHold);
}

TEST(AimdRateControlTest, MultiplicativeIncreaseIsEightPercentPerSecondAndCapped) {
  AimdRateControl aimd;
  aimd.update(BandwidthUsage::kNormal, std::nullopt, kStart, 50ms);
  for (int i = 1; i <= 10; ++i) {
    aimd.update(BandwidthUsage::kNormal, std::nullopt, kStart + i * 100ms, 50ms);
  }
  EXPECT_NEAR(static_cast<double>(aimd.estimate_bps()), 1'080'000, 1'000);
  EXPECT_FALSE(aimd.near_convergence());
  int64_t before = aimd.estimate_bps();
  for (int i = 11; i <= 100; ++i) {
    aimd.update(BandwidthUsage::kNormal, 500'000, kStart + i * 100ms, 50ms);
  }
  // Above 1.5 x 500k + 10k already: held there, neither raised nor lowered.
  EXPECT_EQ(aimd.estimate_bps(), before);
  aimd.update(BandwidthUsage::kNormal, 2'000'000, kStart + 10'100ms, 50ms);
  EXPECT_GT(aimd.estimate_bps(), before);
}

TEST(AimdRateControlTest, AdditiveIncreaseNearTheLastDecreaseRate) {
  AimdRateControl aimd;
  aimd.update(BandwidthUsage::kOverusing, 1'000'000, kStart, 50ms);  // learns 1 Mbit/s
  aimd.update(BandwidthUsage::kNormal, 850'000, kStart + 100ms, 50ms);
  int64_t before = aimd.estimate_bps();
  aimd.update(BandwidthUsage::kNormal, 990'000, kStart + 250ms, 50ms);
  EXPECT_TRUE(aimd.near_convergence());
  EXPECT_EQ(aimd.estimate_bps() - before, 9'600);  // one 1200-byte packet per 150 ms
  // Well above the learned rate: back to multiplicative.
  aimd.update(BandwidthUsage::kNormal, 1'300'000, kStart + 350ms, 50ms);
  EXPECT_FALSE(aimd.near_convergence());
}

TEST(AimdRateControlTest, StaysWithinBounds) {
  AimdRateControl aimd(AimdRateControl::Config{.start_bps = 60'000});
  for (int i = 0; i < 20; ++i) {
    aimd.update(BandwidthUsage::kOverusing, 10'000, kStart + i * 1s, 50ms);
  }
  EXPECT_EQ(aimd.estimate_bps(), 50'000);
}

TEST(LossBasedControlTest, DecreasesHoldsAndIncreasesByLoss) {
  LossBasedControl loss;
  EXPECT_EQ(loss.on_feedback(20, 80, 0, std::nullopt, kStart), 1'000'000);       // interval open
  EXPECT_EQ(loss.on_feedback(0, 0, 0, std::nullopt, kStart + 100ms), 900'000);   // 20 %
  EXPECT_EQ(loss.on_feedback(5, 95, 0, std::nullopt, kStart + 200ms), 900'000);  // 5 % holds
  EXPECT_EQ(loss.on_feedback(1, 99, 0, std::nullopt, kStart + 300ms), 945'000);  // 1 %
  EXPECT_DOUBLE_EQ(loss.loss_fraction(), 0.01);
}

TEST(LossBasedControlTest, TooFewPacketsDecideNothingAndRecoveredUndoLoss) {
  LossBasedControl loss;
  EXPECT_EQ(loss.on_feedback(5, 5, 0, std::nullopt, kStart + 1s), 1'000'000);
  EXPECT_EQ(loss.on_feedback(0, 30, 5, std::nullopt, kStart + 2s), 1'050'000);
}

TEST(LossBasedControlTest, IncreaseIsCappedByAcknowledged) {
  LossBasedControl loss;
  EXPECT_EQ(loss.on_feedback(0, 100, 0, 100'000, kStart), 1'000'000);
  EXPECT_EQ(loss.on_feedback(0, 100, 0, 100'000, kStart + 200ms), 1'000'000);
}

TEST(AcknowledgedBitrateTest, MeasuresOverTheWindow) {
  AcknowledgedBitrate acked;
  EXPECT_FALSE(acked.bitrate_bps());
  // 1250 bytes every 10 ms = 1 Mbit/s.
  for (int i = 0; i <= 100; ++i)
    acked.add(RemoteTime{i * 10'000}, 1250);
  ASSERT_TRUE(acked.bitrate_bps());
  EXPECT_NEAR(static_cast<double>(*acked.bitrate_bps()), 1'000'000, 30'000);
}

TEST(AcknowledgedBitrateTest, ClockJumpsBackwardsDoNotBreakIt) {
  AcknowledgedBitrate acked(16);
  for (int i = 0; i < 100; ++i)
    acked.add(RemoteTime{(i % 7) * 100'000 - 300'000}, 1000);
  auto rate = acked.bitrate_bps();
  ASSERT_TRUE(rate);
  EXPECT_GT(*rate, 0);
}

}  // namespace
}  // namespace webrtc::bwe
