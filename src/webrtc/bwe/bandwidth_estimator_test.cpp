// The estimator on synthetic traces from LinkSimulator: steady, capacity steps, random loss,
// reordered and malformed feedback. Figures (reaction times) are printed for the record.
#include "webrtc/bwe/bandwidth_estimator.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "webrtc/bwe/link_simulator_test_support.hpp"

namespace webrtc::bwe {
namespace {

using namespace std::chrono_literals;
using test::LinkConfig;
using test::LinkSimulator;

constexpr auto kNever = std::chrono::milliseconds::max();

// BWE_TRACE=1 prints the estimator's state every 250 ms of simulated time.
void trace(LinkSimulator& sim, std::chrono::milliseconds until) {
  if (!std::getenv("BWE_TRACE")) return sim.run_until(until);
  sim.run_until(until, [&](auto t, int64_t) {
    if (t.count() % 250 != 0) return;
    auto s = sim.estimator().state();
    std::printf(
        "t=%6lld est=%8lld delay=%8lld loss=%8lld acked=%8lld %s %s trend=%.1f th=%.1f "
        "rtt=%lld\n",
        static_cast<long long>(t.count()), static_cast<long long>(s.estimate_bps),
        static_cast<long long>(s.delay_based_bps), static_cast<long long>(s.loss_based_bps),
        static_cast<long long>(s.acked_bps.value_or(-1)), to_string(s.usage),
        to_string(s.rate_control), s.trend_ms, s.threshold_ms,
        static_cast<long long>(s.rtt.count()));
  });
}

std::function<int64_t(std::chrono::milliseconds)> step(int64_t before, int64_t after,
                                                       std::chrono::milliseconds at) {
  return [=](std::chrono::milliseconds t) { return t < at ? before : after; };
}

TEST(BandwidthEstimatorTest, SteadyLinkGrowsAboveTheSourceRateAndStays) {
  LinkConfig link;
  link.capacity_bps = [](auto) { return 5'000'000; };
  link.source_bps = 2'000'000;
  LinkSimulator sim(link);
  int64_t lowest_late = std::numeric_limits<int64_t>::max();
  sim.run_until(30s, [&](auto t, int64_t bps) {
    if (t >= 15s) lowest_late = std::min(lowest_late, bps);
  });
  auto s = sim.estimator().state();
  std::printf("steady: estimate %lld bps, lowest after 15 s %lld, acked %lld\n",
              static_cast<long long>(s.estimate_bps), static_cast<long long>(lowest_late),
              static_cast<long long>(s.acked_bps.value_or(-1)));
  EXPECT_GE(lowest_late, 2'000'000);
  EXPECT_LE(s.estimate_bps, 3'200'000);  // 1.5 x acknowledged + 10 kbit/s
}

TEST(BandwidthEstimatorTest, FullLinkSettlesNearCapacity) {
  LinkConfig link;
  link.capacity_bps = [](auto) { return 3'000'000; };
  LinkSimulator sim(link);
  double sum = 0;
  int samples = 0;
  sim.run_until(60s, [&](auto t, int64_t bps) {
    if (t >= 30s) {
      sum += static_cast<double>(bps);
      ++samples;
    }
  });
  double mean = sum / samples;
  std::printf("full 3 Mbit/s link: mean estimate over 30-60 s %.0f bps\n", mean);
  EXPECT_GT(mean, 0.7 * 3'000'000);
  EXPECT_LT(mean, 1.2 * 3'000'000);
}

TEST(BandwidthEstimatorTest, StepDownReactsWithinOneSecond) {
  LinkConfig link;
  link.capacity_bps = step(5'000'000, 1'500'000, 30s);
  LinkSimulator sim(link);
  trace(sim, 30s);
  int64_t before = sim.estimator().estimate_bps();
  auto below_at = kNever;
  int64_t lowest = std::numeric_limits<int64_t>::max();
  sim.run_until(45s, [&](auto t, int64_t bps) {
    if (below_at == kNever && bps < 1'500'000) below_at = t;
    lowest = std::min(lowest, bps);
  });
  auto reaction = below_at - 30s;
  std::printf(
      "step 5 -> 1.5 Mbit/s: estimate before %lld, below 1.5 after %lld ms, lowest %lld, "
      "at 45 s %lld\n",
      static_cast<long long>(before), static_cast<long long>(reaction.count()),
      static_cast<long long>(lowest), static_cast<long long>(sim.estimator().estimate_bps()));
  EXPECT_GT(before, 3'000'000);
  ASSERT_NE(below_at, kNever);
  EXPECT_LE(reaction, 1000ms);
  EXPECT_GT(lowest, 500'000);  // a decrease, not a collapse
  EXPECT_LT(sim.estimator().estimate_bps(), 1'900'000);
}

TEST(BandwidthEstimatorTest, StepUpRecovers) {
  LinkConfig link;
  link.capacity_bps = step(1'500'000, 5'000'000, 20s);
  LinkSimulator sim(link);
  trace(sim, 20s);
  int64_t before = sim.estimator().estimate_bps();
  auto above_3m = kNever;
  auto above_4m = kNever;
  sim.run_until(50s, [&](auto t, int64_t bps) {
    if (above_3m == kNever && bps >= 3'000'000) above_3m = t;
    if (above_4m == kNever && bps >= 4'000'000) above_4m = t;
  });
  std::printf(
      "step 1.5 -> 5 Mbit/s: estimate before %lld, >= 3 Mbit/s after %lld ms, "
      ">= 4 Mbit/s after %lld ms\n",
      static_cast<long long>(before), static_cast<long long>((above_3m - 20s).count()),
      static_cast<long long>((above_4m - 20s).count()));
  EXPECT_LT(before, 1'900'000);
  ASSERT_NE(above_3m, kNever);
  ASSERT_NE(above_4m, kNever);
  // 8 %/s multiplicative increase alone (no probing yet): 1.5 -> 3 Mbit/s takes about 9 s
  // after the additive phase near the old rate.
  EXPECT_LE(above_3m - 20s, 14s);
  EXPECT_LE(above_4m - 20s, 18s);
}

int64_t estimate_after_loss(double loss, int64_t* loss_based = nullptr) {
  LinkConfig link;
  link.capacity_bps = [](auto) { return 20'000'000; };
  link.random_loss = loss;
  link.seed = 7;
  LinkSimulator sim(link);
  sim.run_until(10s);
  if (loss_based) *loss_based = sim.estimator().state().loss_based_bps;
  return sim.estimator().estimate_bps();
}

TEST(BandwidthEstimatorTest, FivePercentRandomLossHolds) {
  int64_t loss_based = 0;
  int64_t estimate = estimate_after_loss(0.05, &loss_based);
  std::printf("5 %% loss: estimate after 10 s %lld (start 1000000)\n",
              static_cast<long long>(estimate));
  EXPECT_GE(estimate, 800'000);
  EXPECT_LE(estimate, 1'300'000);
  EXPECT_EQ(estimate, loss_based);  // the delay-based estimate has run ahead: loss holds it
}

TEST(BandwidthEstimatorTest, FifteenPercentRandomLossDecreases) {
  int64_t estimate = estimate_after_loss(0.15);
  std::printf("15 %% loss: estimate after 10 s %lld (start 1000000)\n",
              static_cast<long long>(estimate));
  EXPECT_LT(estimate, 600'000);
  EXPECT_GE(estimate, 50'000);
}

TEST(BandwidthEstimatorTest, LowLossLetsTheEstimateGrow) {
  int64_t estimate = estimate_after_loss(0.0);
  EXPECT_GT(estimate, 1'500'000);
}

TEST(BandwidthEstimatorTest, ReorderedAndDuplicatedFeedbackGivesASaneEstimate) {
  LinkConfig link;
  link.capacity_bps = step(4'000'000, 1'500'000, 20s);
  link.reorder_window = 3;
  LinkSimulator sim(link);
  sim.run_until(20s);
  int64_t before = sim.estimator().estimate_bps();
  sim.run_until(30s);
  auto s = sim.estimator().state();
  std::printf("reordered feedback: at 20 s %lld, at 30 s %lld, ignored results %zu\n",
              static_cast<long long>(before), static_cast<long long>(s.estimate_bps),
              s.ignored_results);
  EXPECT_GT(before, 1'500'000);
  EXPECT_LT(before, 6'000'000);
  EXPECT_GT(s.estimate_bps, 300'000);
  EXPECT_LT(s.estimate_bps, 2'000'000);
  EXPECT_GT(s.ignored_results, 0u);
}

TEST(BandwidthEstimatorTest, MalformedAndEmptyFeedbackNeverBreaksIt) {
  BandwidthEstimator bwe;
  const TimePoint t0 = TimePoint{} + 50s;
  bwe.on_feedback({}, t0);
  for (int64_t seq = 0; seq < 200; ++seq)
    bwe.on_packet_sent(seq, 1200, t0 + seq * 1ms);
  std::vector<PacketResult> junk;
  junk.push_back(PacketResult{-5, {}, 0, RemoteTime{0}});              // negative sequence
  junk.push_back(PacketResult{999'999, {}, 0, RemoteTime{1000}});      // never sent
  junk.push_back(PacketResult{3, {}, 0, RemoteTime{-9'000'000'000}});  // wild clock
  junk.push_back(PacketResult{4, {}, 0, RemoteTime{9'000'000'000}});
  junk.push_back(PacketResult{5, {}, 0, RemoteTime{9'000'000'000}});  // reported twice
  junk.push_back(PacketResult{5, {}, 0, RemoteTime{1}});
  junk.push_back(PacketResult{6, t0 - 1h, 0, RemoteTime{2}});  // odd send time
  bwe.on_feedback(junk, t0 + 1s);
  // Everything lost, then the same packets "received" backwards in time.
  std::vector<PacketResult> lost;
  for (int64_t seq = 10; seq < 100; ++seq)
    lost.push_back(PacketResult{seq, {}, 0, {}});
  bwe.on_feedback(lost, t0 + 2s);
  std::vector<PacketResult> backwards;
  for (int64_t seq = 100; seq > 10; --seq) {
    backwards.push_back(PacketResult{seq, {}, 0, RemoteTime{(200 - seq) * -1000}});
  }
  bwe.on_feedback(backwards, t0 + 3s);
  bwe.on_feedback({}, t0 - 10s);  // time going backwards
  auto s = bwe.state();
  EXPECT_GE(s.estimate_bps, 50'000);
  EXPECT_LE(s.estimate_bps, 50'000'000);
  EXPECT_GE(s.ignored_results, 3u);
}

TEST(BandwidthEstimatorTest, RembAloneSetsTheEstimateAndCapsTransportCc) {
  BandwidthEstimator bwe;
  const TimePoint t0 = TimePoint{} + 50s;
  EXPECT_EQ(bwe.estimate_bps(), 1'000'000);
  bwe.on_remb(700'000, t0);
  EXPECT_EQ(bwe.estimate_bps(), 700'000);
  bwe.on_remb(90'000'000, t0);
  EXPECT_EQ(bwe.estimate_bps(), 50'000'000);
  bwe.on_remb(-1, t0);  // nonsense: ignored
  EXPECT_EQ(bwe.estimate_bps(), 50'000'000);

  LinkConfig link;
  link.capacity_bps = [](auto) { return 5'000'000; };
  LinkSimulator sim(link);
  sim.estimator().on_remb(800'000, TimePoint{} + 1000s);
  sim.run_until(10s);
  EXPECT_EQ(sim.estimator().estimate_bps(), 800'000);
  EXPECT_GT(sim.estimator().state().delay_based_bps, 800'000);
}

TEST(BandwidthEstimatorTest, ResultsCarryingTheirOwnSendTimesNeedNoHistory) {
  BandwidthEstimator bwe;
  const TimePoint t0 = TimePoint{} + 50s;
  std::vector<PacketResult> results;
  for (int64_t seq = 0; seq < 300; ++seq) {
    results.push_back(PacketResult{seq, t0 + seq * 5ms, 1200, RemoteTime{seq * 5000}});
  }
  bwe.on_feedback(results, t0 + 1600ms);
  auto s = bwe.state();
  ASSERT_TRUE(s.acked_bps);
  EXPECT_NEAR(static_cast<double>(*s.acked_bps), 1'920'000, 100'000);
  EXPECT_EQ(s.ignored_results, 0u);
}

}  // namespace
}  // namespace webrtc::bwe
