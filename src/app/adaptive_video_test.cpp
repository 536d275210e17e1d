#include "app/adaptive_video.hpp"

#include <gtest/gtest.h>

#include "app/webrtc_feed.hpp"

namespace app {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// An estimate with nothing known of what was delivered.
webrtc::SendSideBandwidthStats at(int64_t bps) {
  webrtc::SendSideBandwidthStats b;
  b.estimate_bps = bps;
  return b;
}

std::vector<LadderRung> ladder() {
  auto feed = [] { return std::make_shared<WebRtcFeed>("live/x", 1, 2, 64000, nullptr); };
  return {{{"source"}, feed(), 7'000'000},
          {{"720p", true, 1280, 720, 2'500'000}, feed(), 2'500'000},
          {{"480p", true, 854, 480, 1'000'000}, feed(), 1'000'000},
          {{"240p", true, 426, 240, 300'000}, feed(), 300'000}};
}

TEST(AdaptiveVideo, DropGoesStraightToTheRungThatFitsAndCountsOnceDone) {
  AdaptiveVideo a(ladder(), 0);
  const auto t0 = Clock::now();
  EXPECT_FALSE(a.on_estimate(at(9'000'000), t0).switch_to);
  const auto d = a.on_estimate(at(1'400'000), t0 + 100ms);
  ASSERT_TRUE(d.switch_to);
  EXPECT_EQ(*d.switch_to, 2u);  // 480p: 1 Mbit/s <= 0.85 x 1.4
  a.switch_pending(*d.switch_to, t0 + 100ms);
  EXPECT_TRUE(a.holding_current());  // down: the old rung's frames stay out of the full link
  EXPECT_EQ(a.switching_feed(), a.rung(2).feed.get());
  EXPECT_EQ(a.status().target, "480p");
  EXPECT_EQ(a.status().switches_down, 0u);  // not yet: the rung's keyframe has not come
  EXPECT_EQ(a.switch_done(), 2u);
  EXPECT_EQ(a.current(), 2u);
  EXPECT_EQ(a.switching_feed(), nullptr);
  EXPECT_EQ(a.status().switches_down, 1u);
  EXPECT_EQ(a.status().switches_up, 0u);
}

// Viewers behind one link: when they are congested together, whoever's turn it is steps one
// rung down, not to where its collapsed estimate points; alone, straight there.
TEST(AdaptiveVideo, UnderSharedCongestionAStepIsOneRung) {
  auto share = std::make_shared<webrtc::abr::LinkShare>();
  AdaptiveVideo a(ladder(), 1, share);
  AdaptiveVideo b(ladder(), 1, share);
  AdaptiveVideo c(ladder(), 1, share);
  const auto t0 = Clock::now();
  // b and c lose 15 % of their packets: congested, though their estimates keep 720p.
  auto lossy = at(9'000'000);
  lossy.recent = webrtc::bwe::Delivery{};
  lossy.recent->bps = 3'000'000;
  lossy.recent->loss = 0.15;
  EXPECT_FALSE(b.on_estimate(lossy, t0).switch_to);
  EXPECT_FALSE(c.on_estimate(lossy, t0).switch_to);
  // a's estimate falls to what fits only 240p: one rung, 720p -> 480p.
  const auto d = a.on_estimate(at(500'000), t0 + 10ms);
  ASSERT_TRUE(d.switch_to);
  EXPECT_EQ(*d.switch_to, 2u);
  // Alone on its link, the same estimate goes straight to 240p.
  AdaptiveVideo alone(ladder(), 1, std::make_shared<webrtc::abr::LinkShare>());
  const auto e = alone.on_estimate(at(500'000), t0);
  ASSERT_TRUE(e.switch_to);
  EXPECT_EQ(*e.switch_to, 3u);
}

TEST(AdaptiveVideo, ProbesBeforeGoingUpAndGoesUpOnASuccessfulProbe) {
  AdaptiveVideo a(ladder(), 2);  // 480p
  const auto t0 = Clock::now();
  // 720p needs 2.5 Mbit/s: an estimate of 1.5 cannot show it fits, so a probe is asked for.
  const auto d = a.on_estimate(at(1'500'000), t0);
  EXPECT_FALSE(d.switch_to);
  ASSERT_TRUE(d.probe);
  EXPECT_GT(d.probe->target_bps, 2'500'000);
  EXPECT_EQ(a.status().probes, 1u);
  a.on_probe_result({d.probe->cluster, d.probe->target_bps}, t0 + 400ms);
  const auto up = a.on_estimate(at(1'600'000), t0 + 500ms);
  ASSERT_TRUE(up.switch_to);
  EXPECT_EQ(*up.switch_to, 1u);
  a.switch_pending(1, t0 + 500ms);
  EXPECT_FALSE(a.holding_current());  // up: the current rung plays until the new keyframe
  a.switch_done();
  EXPECT_EQ(a.status().switches_up, 1u);
  EXPECT_EQ(a.status().probes_succeeded, 1u);
}

TEST(AdaptiveVideo, AFailedProbeKeepsTheRung) {
  AdaptiveVideo a(ladder(), 2);
  const auto t0 = Clock::now();
  const auto d = a.on_estimate(at(1'500'000), t0);
  ASSERT_TRUE(d.probe);
  a.on_probe_result({d.probe->cluster, 1'400'000}, t0 + 400ms);  // the link is full
  for (auto t = 500ms; t < 2s; t += 100ms)
    EXPECT_FALSE(a.on_estimate(at(1'500'000), t0 + t).switch_to);
  EXPECT_EQ(a.status().probes_succeeded, 0u);
}

TEST(AdaptiveVideo, WhatTheLinkDeliveredWithoutLossKeepsTheRung) {
  AdaptiveVideo a(ladder(), 0);
  const auto t0 = Clock::now();
  // A delay-based cut to 0.85 x the delivered rate after a keyframe burst: 7.2 Mbit/s arrived
  // without loss, so the source stays.
  auto b = at(5'950'000);
  b.acked_bps = 7'200'000;  // the source, its audio and headers
  EXPECT_FALSE(a.on_estimate(b, t0).switch_to);
  // The same cut with 20 % loss is a narrower link.
  b.loss_fraction = 0.2;
  const auto d = a.on_estimate(b, t0 + 100ms);
  ASSERT_TRUE(d.switch_to);
  EXPECT_EQ(*d.switch_to, 1u);
}

// A collapse measures the link: the estimate then sits at the link's full rate, which alone
// (1 Mbit/s <= 0.7 x 1.45) would take a viewer alone on it up to a rung with no room for its
// IDR; up goes only on a probe that proves it.
TEST(AdaptiveVideo, ACollapseCapsWhereTheEstimateAloneTakesTheViewer) {
  for (const bool collapse : {false, true}) {
    AdaptiveVideo a(ladder(), 3);
    const auto t0 = Clock::now();
    auto full = at(1'450'000);
    full.recent = webrtc::bwe::Delivery{};
    full.recent->bps = 1'450'000;
    full.recent->loss = collapse ? 0.6 : 0.0;
    a.on_estimate(full, t0);
    bool went_up = false;
    for (auto t = 100ms; t < 10s; t += 100ms) {
      if (const auto d = a.on_estimate(at(1'450'000), t0 + t); d.switch_to) went_up = true;
    }
    EXPECT_EQ(went_up, !collapse) << (collapse ? "after a collapse" : "without one");
  }
}

TEST(AdaptiveVideo, NoProbeWhileASwitchWaitsForItsKeyframe) {
  AdaptiveVideo a(ladder(), 2);
  a.switch_pending(3, Clock::now());
  EXPECT_FALSE(a.on_estimate(at(1'500'000), Clock::now()).probe);
  a.switch_cancelled();
  EXPECT_EQ(a.current(), 2u);
}

}  // namespace
TEST(AdaptiveVideo, OnlyASwitchDownAsksForAnIdrAtOnce) {
  // The IDR goes to every viewer of the rung; going up, the rung's own GOP keyframe will do.
  AdaptiveVideo a(ladder(), 2);
  const auto t0 = Clock::now();
  a.switch_pending(3, t0);  // down
  EXPECT_TRUE(a.wants_keyframe(t0));
  EXPECT_FALSE(a.wants_keyframe(t0 + 10ms));  // once per switch
  a.switch_done();
  a.switch_pending(2, t0 + 2s);  // up
  EXPECT_FALSE(a.wants_keyframe(t0 + 2s));
  EXPECT_FALSE(a.wants_keyframe(t0 + 2900ms));
  EXPECT_TRUE(a.wants_keyframe(t0 + 3200ms));  // no GOP keyframe came: ask
  EXPECT_FALSE(a.wants_keyframe(t0 + 3300ms));
  a.switch_cancelled();
  EXPECT_FALSE(a.wants_keyframe(t0 + 5s));  // nothing pending
}

TEST(AdaptiveVideo, ADelayCutWithoutLossKeepsTheRungUnlessItIsDeep) {
  AdaptiveVideo a(ladder(), 2);  // 480p, 1 Mbit/s
  const auto t0 = Clock::now();
  auto b = at(850'000);  // 0.85 x an encoder's dip to 1 Mbit/s: over-use, nothing lost
  b.acked_bps = 800'000;
  EXPECT_FALSE(a.on_estimate(b, t0).switch_to);
  b.estimate_bps = 550'000;  // a link narrower than the rung keeps cutting
  b.acked_bps = 600'000;
  const auto d = a.on_estimate(b, t0 + 100ms);
  ASSERT_TRUE(d.switch_to);
  EXPECT_EQ(*d.switch_to, 3u);
}

}  // namespace app
