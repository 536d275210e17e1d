// ProbeBitrateEstimator on synthetic probe clusters: clean, lossy, capped by the link,
// bunched arrivals, too few packets, unfinished clusters and garbage feedback.
#include "webrtc/abr/probe_bitrate_estimator.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace webrtc::abr {
namespace {

using namespace std::chrono_literals;
using webrtc::bwe::PacketResult;
using webrtc::bwe::RemoteTime;

const TimePoint kT0 = TimePoint{} + 100s;

struct Trace {
  int64_t first_seq = 1000;
  size_t packets = 20;
  size_t bytes = 1200;
  std::chrono::microseconds send_gap{1000};
  std::chrono::microseconds receive_gap{1000};
  std::set<size_t> lost;  // indexes within the cluster
};

void send(ProbeBitrateEstimator& e, const Trace& t, int cluster) {
  for (size_t i = 0; i < t.packets; ++i) {
    e.on_probe_sent(t.first_seq + static_cast<int64_t>(i), cluster, t.bytes,
                    kT0 + t.send_gap * static_cast<int64_t>(i));
  }
}

// Results for the cluster's packets [from, to) and, when `finished`, one later media packet.
std::vector<PacketResult> results(const Trace& t, size_t from, size_t to, bool finished) {
  std::vector<PacketResult> out;
  for (size_t i = from; i < to; ++i) {
    PacketResult r;
    r.sequence = t.first_seq + static_cast<int64_t>(i);
    if (!t.lost.contains(i)) r.receive_time = 5000s + t.receive_gap * static_cast<int64_t>(i);
    out.push_back(r);
  }
  if (finished) {
    PacketResult media;
    media.sequence = t.first_seq + static_cast<int64_t>(t.packets);
    media.receive_time = 5000s + t.receive_gap * static_cast<int64_t>(t.packets);
    out.push_back(media);
  }
  return out;
}

std::optional<ProbeMeasurement> run(const Trace& t) {
  ProbeBitrateEstimator e;
  send(e, t, 3);
  return e.on_feedback(results(t, 0, t.packets, true));
}

TEST(ProbeBitrateEstimatorTest, CleanTraceGivesTheProbeRate) {
  Trace t;  // 1200 bytes every 1 ms: 9.6 Mbit/s
  ProbeBitrateEstimator e;
  send(e, t, 3);
  auto fb = results(t, 0, t.packets, true);
  auto m = e.on_feedback(fb);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cluster, 3);
  EXPECT_NEAR(static_cast<double>(m->bps), 9.6e6, 0.01 * 9.6e6);
  EXPECT_FALSE(e.on_feedback(fb));  // once per cluster
}

TEST(ProbeBitrateEstimatorTest, LossesWithinBoundsStillGiveARate) {
  Trace t;
  t.lost = {4, 11};  // 18 of 20 received
  auto m = run(t);
  ASSERT_TRUE(m);
  // What arrived: 17 counted packets over 19 ms, about 8.6 Mbit/s.
  EXPECT_GT(m->bps, 8'000'000);
  EXPECT_LE(m->bps, 9'600'000);
}

TEST(ProbeBitrateEstimatorTest, ReceiveRateCappedByTheLinkGivesTheCap) {
  Trace t;
  t.receive_gap = 2000us;  // the bottleneck drains at 4.8 Mbit/s
  auto m = run(t);
  ASSERT_TRUE(m);
  EXPECT_NEAR(static_cast<double>(m->bps), 4.8e6, 0.1 * 4.8e6);
}

TEST(ProbeBitrateEstimatorTest, BunchedArrivalsDoNotShowMoreThanWasSent) {
  Trace t;
  t.send_gap = 2000us;  // 4.8 Mbit/s sent
  t.receive_gap = 500us;
  auto m = run(t);
  ASSERT_TRUE(m);
  EXPECT_NEAR(static_cast<double>(m->bps), 4.8e6, 0.01 * 4.8e6);
}

TEST(ProbeBitrateEstimatorTest, TooFewPacketsGiveNoResult) {
  Trace t;
  t.packets = 4;
  EXPECT_FALSE(run(t));
}

TEST(ProbeBitrateEstimatorTest, TooManyLostGiveNoResult) {
  Trace t;
  t.lost = {1, 3, 5, 7, 9};  // 75 % received
  EXPECT_FALSE(run(t));
}

TEST(ProbeBitrateEstimatorTest, WaitsForTheClusterToFinish) {
  Trace t;
  ProbeBitrateEstimator e;
  send(e, t, 0);
  EXPECT_FALSE(e.on_feedback(results(t, 0, 10, false)));  // half of it, still being sent
  auto m = e.on_feedback(results(t, 10, t.packets, true));
  ASSERT_TRUE(m);
  EXPECT_NEAR(static_cast<double>(m->bps), 9.6e6, 0.01 * 9.6e6);
}

TEST(ProbeBitrateEstimatorTest, InterleavedMediaPacketsAreNotCounted) {
  Trace t;
  ProbeBitrateEstimator e;
  // Probe packets on even sequences, unmarked media on odd ones.
  for (size_t i = 0; i < t.packets; ++i) {
    e.on_probe_sent(t.first_seq + 2 * static_cast<int64_t>(i), 1, t.bytes,
                    kT0 + 1ms * static_cast<int64_t>(i));
  }
  std::vector<PacketResult> fb;
  for (size_t i = 0; i < 2 * t.packets + 1; ++i) {
    PacketResult r;
    r.sequence = t.first_seq + static_cast<int64_t>(i);
    r.receive_time = 5000s + 500us * static_cast<int64_t>(i);
    fb.push_back(r);
  }
  auto m = e.on_feedback(fb);
  ASSERT_TRUE(m);
  EXPECT_NEAR(static_cast<double>(m->bps), 9.6e6, 0.01 * 9.6e6);
}

TEST(ProbeBitrateEstimatorTest, AllSentAtOnceGivesNoResult) {
  Trace t;
  t.send_gap = 0us;  // no send interval to measure over
  EXPECT_FALSE(run(t));
}

TEST(ProbeBitrateEstimatorTest, GarbageFeedbackNeverBreaksIt) {
  ProbeBitrateEstimator e;
  e.on_probe_sent(-1, 0, 1200, kT0);
  e.on_probe_sent(5, -3, 1200, kT0);
  e.on_probe_sent(6, 0, 0, kT0);
  std::vector<PacketResult> junk;
  junk.push_back(PacketResult{-7, {}, 0, RemoteTime{1}});
  junk.push_back(PacketResult{999'999'999, {}, 0, RemoteTime{-9'000'000'000}});
  junk.push_back(PacketResult{5, {}, 0, std::nullopt});
  EXPECT_FALSE(e.on_feedback(junk));
  EXPECT_FALSE(e.on_feedback({}));
  // A cluster whose arrivals go backwards and repeat: no crash, and no absurd rate.
  Trace t;
  send(e, t, 9);
  auto fb = results(t, 0, t.packets, true);
  for (auto& r : fb)
    r.receive_time = RemoteTime{-r.sequence * 1000};
  auto copy = fb;
  fb.insert(fb.end(), copy.begin(), copy.end());
  auto m = e.on_feedback(fb);
  if (m) {
    EXPECT_LE(m->bps, 9'700'000);
  }
}

TEST(ProbeBitrateEstimatorTest, AClusterLongerThanTheRingIsForgotten) {
  ProbeBitrateEstimator::Config config;
  config.ring_size = 16;
  ProbeBitrateEstimator e(config);
  Trace t;
  t.packets = 40;
  send(e, t, 2);
  EXPECT_FALSE(e.on_feedback(results(t, 0, t.packets, true)));
}

}  // namespace
}  // namespace webrtc::abr
