// ProbeController with a fake clock: when it probes, at what rate, timeouts, back-off.
#include "webrtc/abr/probe_controller.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace webrtc::abr {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = TimePoint{} + 100s;

TEST(ProbeControllerTest, NoProbeAtTheTopOrWhenTheRungFitsOrUnknownEstimate) {
  ProbeController c;
  EXPECT_FALSE(c.on_estimate(5'000'000, 0, kT0));          // at the top
  EXPECT_FALSE(c.on_estimate(5'000'000, 2'500'000, kT0));  // fits: 2.5 <= 0.7 x 5
  EXPECT_FALSE(c.on_estimate(0, 2'500'000, kT0));          // unknown
  EXPECT_FALSE(c.on_estimate(-1, 2'500'000, kT0));
  EXPECT_EQ(c.probes(), 0u);
}

TEST(ProbeControllerTest, NoProbeForARungTooFarAboveTheEstimate) {
  ProbeController c;
  // 6 Mbit/s needs 8 measured (6 / 0.75); the cap is 3 x 1 Mbit/s.
  EXPECT_FALSE(c.on_estimate(1'000'000, 6'000'000, kT0));
}

TEST(ProbeControllerTest, ProbesTheNextRungWithHeadroomOneAtATime) {
  ProbeController c;
  auto p = c.on_estimate(1'500'000, 2'500'000, kT0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->target_bps, 3'750'000);  // 1.5 x the rung, under 3 x the estimate
  EXPECT_EQ(p->duration, 200ms);
  EXPECT_TRUE(c.in_flight());
  EXPECT_FALSE(c.on_estimate(1'500'000, 2'500'000, kT0 + 100ms));
  EXPECT_TRUE(c.on_probe_result(p->cluster, 3'750'000, kT0 + 500ms));  // 2.5 <= 0.75 x 3.75
  EXPECT_FALSE(c.in_flight());
  // The same rung is not probed again right away; the next one is.
  EXPECT_FALSE(c.on_estimate(1'500'000, 2'500'000, kT0 + 600ms));
  auto next = c.on_estimate(3'750'000, 6'000'000, kT0 + 700ms);
  ASSERT_TRUE(next);
  EXPECT_NE(next->cluster, p->cluster);
  EXPECT_EQ(next->target_bps, 9'000'000);
}

// Success needs the rung to fit 0.75 x the measurement: the old 1.3 x target (3.25 for 2.5)
// is no longer enough, 1.34 x is.
TEST(ProbeControllerTest, SuccessNeedsTheRungUnderTheSuccessHeadroom) {
  ProbeController c;
  auto p = c.on_estimate(1'500'000, 2'500'000, kT0);
  ASSERT_TRUE(p);
  EXPECT_FALSE(c.on_probe_result(p->cluster, 3'250'000, kT0 + 500ms));
  EXPECT_EQ(c.failures(), 1u);
  auto again = c.on_estimate(1'500'000, 2'500'000, kT0 + 2500ms);  // after the 2 s back-off
  ASSERT_TRUE(again);
  EXPECT_TRUE(c.on_probe_result(again->cluster, 3'340'000, kT0 + 3s));
  EXPECT_EQ(c.successes(), 1u);
}

TEST(ProbeControllerTest, TargetIsCappedByTheEstimate) {
  ProbeController c;
  auto p = c.on_estimate(2'800'000, 6'000'000, kT0);  // need 8 <= cap 8.4 < 1.5 x 6
  ASSERT_TRUE(p);
  EXPECT_EQ(p->target_bps, 8'400'000);
}

TEST(ProbeControllerTest, NoResultTimesOutAsAFailure) {
  ProbeController c;
  auto p = c.on_estimate(1'500'000, 2'500'000, kT0);
  ASSERT_TRUE(p);
  EXPECT_FALSE(c.on_estimate(1'500'000, 2'500'000, kT0 + 1100ms));
  EXPECT_FALSE(c.on_estimate(1'500'000, 2'500'000, kT0 + 1200ms));  // timed out, backing off
  EXPECT_EQ(c.failures(), 1u);
  EXPECT_FALSE(c.in_flight());
  EXPECT_FALSE(c.on_probe_result(p->cluster, 9'000'000, kT0 + 1300ms));  // too late
  EXPECT_TRUE(c.on_estimate(1'500'000, 2'500'000, kT0 + 3300ms));        // 2 s later
}

TEST(ProbeControllerTest, UnknownClusterResultIsIgnored) {
  ProbeController c;
  auto p = c.on_estimate(1'500'000, 2'500'000, kT0);
  ASSERT_TRUE(p);
  EXPECT_FALSE(c.on_probe_result(p->cluster + 7, 9'000'000, kT0 + 300ms));
  EXPECT_TRUE(c.in_flight());
}

// A link of 2 Mbit/s under a 2.5 Mbit/s rung: every probe measures 2 Mbit/s and fails.
TEST(ProbeControllerTest, FailedProbesBackOffExponentially) {
  ProbeController c;
  std::optional<ProbeRequest> pending;
  TimePoint result_at{};
  for (auto t = 0ms; t < 60s; t += 100ms) {
    auto now = kT0 + t;
    if (pending && now >= result_at) {
      c.on_probe_result(pending->cluster, std::min<int64_t>(pending->target_bps, 2'000'000), now);
      pending.reset();
    }
    if (auto p = c.on_estimate(1'500'000, 2'500'000, now)) {
      pending = p;
      result_at = now + p->duration + 300ms;
    }
  }
  // Waits of 2, 4, 8, 16, 30 s (plus 0.5 s per probe): 5 probes in 60 s, not 120.
  EXPECT_GE(c.probes(), 5u);
  EXPECT_LE(c.probes(), 6u);
  EXPECT_EQ(c.successes(), 0u);
  EXPECT_EQ(c.backoff(), 30s);
}

TEST(ProbeControllerTest, BackoffResetsOnSuccessAndOnARisingEstimate) {
  ProbeController c;
  auto now = kT0;
  for (int i = 0; i < 3; ++i) {  // three failures: waits of 2, 4, then 8 s
    auto p = c.on_estimate(1'500'000, 2'500'000, now);
    ASSERT_TRUE(p);
    now += 500ms;
    c.on_probe_result(p->cluster, 1'600'000, now);
    if (i < 2) now += c.backoff() / 2;  // the wait before this doubling
  }
  EXPECT_EQ(c.backoff(), 16s);
  now += 1s;
  EXPECT_FALSE(c.on_estimate(1'500'000, 2'500'000, now));  // still waiting
  auto p = c.on_estimate(2'000'000, 2'500'000, now);       // +33 %: the failure is stale
  ASSERT_TRUE(p);
  EXPECT_EQ(c.backoff(), 2s);
  EXPECT_TRUE(c.on_probe_result(p->cluster, 3'750'000, now + 500ms));
  EXPECT_EQ(c.backoff(), 2s);
}

TEST(ProbeControllerTest, FallingEstimateDoesNotResetTheBackoff) {
  ProbeController c;
  auto p = c.on_estimate(1'500'000, 2'500'000, kT0);
  ASSERT_TRUE(p);
  c.on_probe_result(p->cluster, std::nullopt, kT0 + 500ms);
  EXPECT_FALSE(c.on_estimate(1'000'000, 2'500'000, kT0 + 600ms));
  EXPECT_EQ(c.backoff(), 4s);
}

}  // namespace
}  // namespace webrtc::abr
