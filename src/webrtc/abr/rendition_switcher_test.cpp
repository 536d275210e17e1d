// RenditionSwitcher on synthetic estimate sequences, every 100 ms of fake time.
#include "webrtc/abr/rendition_switcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "webrtc/abr/abr_loop_test_support.hpp"

namespace webrtc::abr {
namespace {

using namespace std::chrono_literals;
using test::default_ladder;
using test::ViewerLoop;

const TimePoint kT0 = TimePoint{} + 100s;
constexpr auto kTick = 100ms;

// Feeds `estimate(t)` from `from` to `to` (relative to kT0); returns the switches made.
template <typename F>
size_t drive(RenditionSwitcher& s, std::chrono::milliseconds from, std::chrono::milliseconds to,
             F estimate) {
  auto before = s.switches();
  for (auto t = from; t < to; t += kTick)
    s.on_estimate(estimate(t), kT0 + t);
  return s.switches() - before;
}

TEST(RenditionSwitcherTest, SteadyHighEstimateStaysAtTheTop) {
  RenditionSwitcher s(default_ladder(), 0);
  EXPECT_EQ(drive(s, 0s, 60s, [](auto) { return 20'000'000; }), 0u);
  EXPECT_EQ(s.current(), 0u);
  EXPECT_EQ(s.next_up_bps(), 0);
}

TEST(RenditionSwitcherTest, UnknownEstimateNeverSwitches) {
  RenditionSwitcher s(default_ladder(), 1);
  EXPECT_FALSE(s.on_estimate(0, kT0));
  EXPECT_FALSE(s.on_estimate(-5, kT0 + 1s));
  EXPECT_EQ(drive(s, 2s, 30s, [](auto) { return 0; }), 0u);
  EXPECT_EQ(s.current(), 1u);
}

TEST(RenditionSwitcherTest, CapacityDropGoesDownInOneCallSkippingRungs) {
  RenditionSwitcher s(default_ladder(), 0);
  drive(s, 0s, 10s, [](auto) { return 20'000'000; });
  auto to = s.on_estimate(1'500'000, kT0 + 10s);
  ASSERT_TRUE(to);
  EXPECT_EQ(*to, 2u);  // 480p: 1 Mbit/s <= 0.85 x 1.5
  EXPECT_EQ(s.switches(), 1u);
  EXPECT_EQ(drive(s, 10100ms, 40s, [](auto) { return 1'500'000; }), 0u);
}

TEST(RenditionSwitcherTest, NothingFitsMeansTheLowestRung) {
  RenditionSwitcher s(default_ladder(), 0);
  EXPECT_EQ(s.on_estimate(100'000, kT0), 3u);
  EXPECT_FALSE(s.on_estimate(50'000, kT0 + 100ms));
}

TEST(RenditionSwitcherTest, UpOnTheEstimateOnlyAfterTheHold) {
  RenditionSwitcher s(default_ladder(), 2);
  EXPECT_EQ(drive(s, 0s, 2900ms, [](auto) { return 4'000'000; }), 0u);  // 2.5 <= 0.7 x 4
  EXPECT_EQ(drive(s, 2900ms, 3200ms, [](auto) { return 4'000'000; }), 1u);
  EXPECT_EQ(s.current(), 1u);
  // 3.4 Mbit/s keeps 720p but is not enough to go up to it from below: hysteresis.
  RenditionSwitcher t(default_ladder(), 2);
  EXPECT_EQ(drive(t, 0s, 60s, [](auto) { return 3'400'000; }), 0u);
}

TEST(RenditionSwitcherTest, ADipResetsTheHold) {
  RenditionSwitcher s(default_ladder(), 2);
  auto dip_every_2s = [](std::chrono::milliseconds t) {
    return t.count() % 2000 == 0 ? 3'000'000 : 4'000'000;
  };
  EXPECT_EQ(drive(s, 0s, 30s, dip_every_2s), 0u);
}

TEST(RenditionSwitcherTest, ASuccessfulProbeLetsItUpAtOnceSkippingRungs) {
  RenditionSwitcher s(default_ladder(), 3);
  s.on_estimate(400'000, kT0);
  s.on_probe_succeeded(8'000'000, kT0 + 100ms);
  EXPECT_EQ(s.on_estimate(400'000, kT0 + 200ms), 0u);  // 6 <= 0.75 x 8
  // The evidence keeps it there while the estimate climbs.
  EXPECT_EQ(drive(s, 300ms, 20s, [](auto t) { return 400'000 + t.count() * 200; }), 0u);
}

TEST(RenditionSwitcherTest, EvidenceIsDroppedWhenTheEstimateFalls) {
  RenditionSwitcher s(default_ladder(), 2);
  s.on_estimate(1'500'000, kT0);
  s.on_probe_succeeded(3'250'000, kT0 + 100ms);  // 2.5 > 0.75 x 3.25: not enough now
  EXPECT_FALSE(s.on_estimate(1'500'000, kT0 + 150ms));
  s.on_probe_succeeded(3'750'000, kT0 + 180ms);  // 2.5 <= 0.75 x 3.75
  EXPECT_EQ(s.on_estimate(1'500'000, kT0 + 200ms), 1u);
  EXPECT_EQ(s.on_estimate(1'300'000, kT0 + 300ms), 2u);  // fell 13 %: congestion
}

// A probe that fell short measured the link: an estimate that then takes the probe's rate
// (and holds it while the link idles below) is no reason to go where the probe could not.
TEST(RenditionSwitcherTest, AFailedProbeCapsWhatTheEstimateAloneReaches) {
  RenditionSwitcher control(default_ladder(), 3);
  EXPECT_EQ(drive(control, 0s, 4s, [](auto) { return 1'500'000; }), 1u);  // 1 <= 0.7 x 1.5
  EXPECT_EQ(control.current(), 2u);

  RenditionSwitcher s(default_ladder(), 3);
  s.on_estimate(500'000, kT0);
  s.on_link_full(1'200'000, kT0 + 100ms);  // 1 > 0.75 x 1.2
  EXPECT_EQ(drive(s, 200ms, 30s, [](auto) { return 1'500'000; }), 0u);
  EXPECT_EQ(s.current(), 3u);
  // A later probe that proves the rung lifts the cap, and so does one that measures more.
  s.on_link_full(1'400'000, kT0 + 30s);  // 1 <= 0.75 x 1.4: the estimate may go up again
  EXPECT_EQ(drive(s, 30100ms, 34s, [](auto) { return 1'500'000; }), 1u);
  EXPECT_EQ(s.current(), 2u);

  RenditionSwitcher p(default_ladder(), 3);
  p.on_link_full(1'200'000, kT0);
  p.on_probe_succeeded(1'500'000, kT0 + 5s);
  EXPECT_EQ(p.on_estimate(500'000, kT0 + 5100ms), 2u);
}

TEST(RenditionSwitcherTest, UpSwitchesKeepTheMinimumInterval) {
  RenditionSwitcher s(default_ladder(), 3);
  s.on_estimate(400'000, kT0);
  s.on_probe_succeeded(1'500'000, kT0);  // 1 <= 0.75 x 1.5
  EXPECT_EQ(s.on_estimate(400'000, kT0 + 100ms), 2u);
  s.on_probe_succeeded(3'750'000, kT0 + 200ms);
  EXPECT_FALSE(s.on_estimate(400'000, kT0 + 300ms));
  EXPECT_FALSE(s.on_estimate(400'000, kT0 + 2000ms));
  EXPECT_EQ(s.on_estimate(400'000, kT0 + 2100ms), 1u);
}

TEST(RenditionSwitcherTest, ARungLeftNeedsALongHoldOrAFreshProbe) {
  RenditionSwitcher s(default_ladder(), 0);
  drive(s, 0s, 10s, [](auto) { return 9'000'000; });
  EXPECT_EQ(s.on_estimate(5'000'000, kT0 + 10s), 1u);  // 6 > 0.85 x 5
  // 9 Mbit/s fits the source with up headroom again: 3 s is not enough, 20 s is.
  EXPECT_EQ(drive(s, 10100ms, 30s, [](auto) { return 9'000'000; }), 0u);
  EXPECT_EQ(drive(s, 30s, 31s, [](auto) { return 9'000'000; }), 1u);
  EXPECT_EQ(s.current(), 0u);

  RenditionSwitcher p(default_ladder(), 0);
  drive(p, 0s, 10s, [](auto) { return 9'000'000; });
  EXPECT_EQ(p.on_estimate(5'000'000, kT0 + 10s), 1u);
  p.on_probe_succeeded(8'000'000, kT0 + 9s);  // older than the down: not evidence for it
  EXPECT_FALSE(p.on_estimate(5'000'000, kT0 + 12s));
  p.on_probe_succeeded(8'000'000, kT0 + 13s);  // 6 <= 0.75 x 8
  EXPECT_EQ(p.on_estimate(5'000'000, kT0 + 13100ms), 0u);
}

TEST(RenditionSwitcherTest, FlappingRungWaitsLongerEachTime) {
  RenditionSwitcher s(default_ladder(), 1);
  auto now = kT0;
  std::vector<std::chrono::seconds> gaps;
  TimePoint down_at{};
  for (int cycle = 0; cycle < 5; ++cycle) {
    // Offer fresh evidence every second until it goes up (at most 300 s: longer than the
    // longest wait), then fall. 8 Mbit/s proves the source (6 <= 0.75 x 8) but is far from
    // showing twice it (2 x 6 / 0.75 = 16), which would end the wait.
    s.on_estimate(3'500'000, now);
    const auto give_up_at = now + 300s;
    while (s.current() != 0 && now < give_up_at) {
      now += 1s;
      s.on_estimate(3'500'000, now);
      s.on_probe_succeeded(8'000'000, now);
      s.on_estimate(3'500'000, now + 1ms);
    }
    ASSERT_EQ(s.current(), 0u) << "cycle " << cycle << ": never went back up";
    if (cycle > 0) gaps.push_back(std::chrono::duration_cast<std::chrono::seconds>(now - down_at));
    now += 5s;
    EXPECT_EQ(s.on_estimate(3'000'000, now), 1u);  // -14 %: evidence gone, source too big
    down_at = now;
  }
  ASSERT_EQ(gaps.size(), 4u);
  EXPECT_GE(gaps[0], 30s);
  EXPECT_GE(gaps[1], 60s);
  EXPECT_GE(gaps[2], 120s);
  EXPECT_GE(gaps[3], 240s);
  EXPECT_LE(gaps[3], 250s);
}

// Sine of +-`amplitude` around `centre` with a 4 s period.
auto wobble(double centre, double amplitude) {
  return [=](std::chrono::milliseconds t) {
    double phase = 2 * std::numbers::pi * static_cast<double>(t.count()) / 4000.0;
    return static_cast<int64_t>(centre * (1 + amplitude * std::sin(phase)));
  };
}

// +-15 % around the down threshold of 720p, the up threshold, and the middle between.
TEST(RenditionSwitcherTest, EstimateOscillatingAroundARungSwitchesAtMostOncePerMinute) {
  for (double centre : {2.5e6 / 0.85, 2.5e6 / 0.7, 2.5e6 / 0.775}) {
    for (size_t start : {1u, 2u}) {
      RenditionSwitcher s(default_ladder(), start);
      for (int minute = 0; minute < 5; ++minute) {
        auto from = std::chrono::minutes{minute};
        EXPECT_LE(drive(s, from, from + 1min, wobble(centre, 0.15)), 1u)
            << "centre " << centre << " start " << start << " minute " << minute;
      }
    }
  }
}

// With probes that succeed (capacity 10 % above what a probe must show for 720p, 2.5 / 0.75)
// while the estimate wobbles around 720p's down threshold, the rung above is won by probes
// and lost on each dip: the flap wait spaces it out (the doubled probes it asks for during
// the wait fail on this link).
TEST(RenditionSwitcherTest, ProbesWinningARungTheEstimateKeepsLosingDoNotFlap) {
  double probe_need = 2.5e6 / 0.75;
  ViewerLoop loop(2, [&](TimePoint) { return static_cast<int64_t>(1.1 * probe_need); });
  auto estimate = wobble(2.5e6 / 0.85, 0.15);
  for (auto t = 0ms; t < 10min; t += kTick)
    loop.step(estimate(t), kT0 + t);
  size_t late = loop.switches_between(kT0 + 4min, kT0 + 10min);
  std::printf("flapping link: %zu switches in 10 min, %zu in the last 6, %llu probes\n",
              loop.log.size(), late, static_cast<unsigned long long>(loop.prober.probes()));
  EXPECT_GE(loop.prober.successes(), 2u);  // probes did win the rung (the case under test)
  EXPECT_GE(loop.log.size(), 2u);
  EXPECT_LE(late, 6u);
}

// Wins 720p from 480p with a probe, loses it on a dip 5 s later: a flap, so going back to
// 720p waits first_flap_wait (30 s, until kT0 + 35 s).
RenditionSwitcher flapped_to_480p() {
  RenditionSwitcher s(default_ladder(), 2);
  s.on_estimate(1'500'000, kT0);
  EXPECT_EQ(s.next_up_bps(), 2'500'000);
  s.on_probe_succeeded(3'750'000, kT0 + 50ms);
  EXPECT_EQ(s.on_estimate(1'500'000, kT0 + 100ms), 1u);
  EXPECT_EQ(s.on_estimate(1'300'000, kT0 + 5s), 2u);  // evidence gone: 2.5 > 0.85 x 1.3
  return s;
}

TEST(RenditionSwitcherTest, NextUpBpsDoublesDuringAFlapWait) {
  auto s = flapped_to_480p();
  EXPECT_EQ(s.next_up_bps(), 5'000'000);  // 2 x 720p: only a recovered link is worth a probe
  s.on_estimate(1'300'000, kT0 + 34900ms);
  EXPECT_EQ(s.next_up_bps(), 5'000'000);
  s.on_estimate(1'300'000, kT0 + 35s);
  EXPECT_EQ(s.next_up_bps(), 2'500'000);  // the wait is over
}

TEST(RenditionSwitcherTest, AProbeShowingTwiceTheRungEndsTheFlapWait) {
  auto s = flapped_to_480p();
  s.on_estimate(1'500'000, kT0 + 8s);
  s.on_probe_succeeded(6'700'000, kT0 + 8s);  // 0.75 x 6.7 >= 2 x 2.5
  EXPECT_EQ(s.next_up_bps(), 2'500'000);
  EXPECT_EQ(s.on_estimate(1'500'000, kT0 + 8100ms), 1u);  // 27 s before the wait's end
}

TEST(RenditionSwitcherTest, AProbeShowingOneAndAHalfTimesTheRungDoesNotEndTheFlapWait) {
  auto s = flapped_to_480p();
  s.on_estimate(1'500'000, kT0 + 8s);
  // 0.75 x 5 = 1.5 x 720p: enough to prove 720p outside a wait, not a recovered link. (5 is
  // also 2 x the rung before the headroom: the headroom applies to the flap test too.)
  s.on_probe_succeeded(5'000'000, kT0 + 8s);
  EXPECT_EQ(s.next_up_bps(), 5'000'000);
  EXPECT_EQ(drive(s, 8100ms, 35s, [](auto) { return 1'500'000; }), 0u);
  // The wait over, the evidence (newer than the down, and the estimate has not fallen)
  // takes it up.
  EXPECT_EQ(s.on_estimate(1'500'000, kT0 + 35s), 1u);
}

// A viewer flaps off 720p, then its link recovers (4 -> 20 Mbit/s at 10 s) and the estimate
// climbs 8 %/s: a probe for twice the rung shows it, and the top is reached long before the
// flap wait (until 35 s) would have let it.
TEST(RenditionSwitcherTest, RecoveredLinkEndsTheFlapWaitByProbing) {
  auto capacity = [](TimePoint t) { return t < kT0 + 10s ? 4'000'000 : 20'000'000; };
  ViewerLoop loop(2, capacity);
  int64_t estimate = 1'500'000;
  TimePoint top_at{};
  for (auto t = 0ms; t < 60s && top_at == TimePoint{}; t += kTick) {
    if (t >= 10s) {
      estimate = std::min<int64_t>(20'000'000, static_cast<int64_t>(estimate * 1.0077));
    } else if (t >= 5s) {
      estimate = 1'300'000;  // the dip that loses 720p
    }
    loop.step(estimate, kT0 + t);
    if (t >= 10s && loop.switcher.current() == 0) top_at = kT0 + t;
  }
  ASSERT_NE(top_at, TimePoint{}) << "not at the top 50 s after the recovery";
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(top_at - (kT0 + 10s));
  std::printf("recovery after a flap: top after %lld ms, %llu probes (%llu ok)\n",
              static_cast<long long>(took.count()),
              static_cast<unsigned long long>(loop.prober.probes()),
              static_cast<unsigned long long>(loop.prober.successes()));
  EXPECT_EQ(loop.switches_between(kT0, kT0 + 10s), 2u);  // the flap: up, then down
  EXPECT_LE(took, 15s);
}

TEST(RenditionSwitcherTest, CapacityReturnReachesTheTopWithin10sByProbing) {
  auto capacity = [](TimePoint t) {
    return t < kT0 + 10s || t >= kT0 + 40s ? 20'000'000 : 1'500'000;
  };
  ViewerLoop loop(0, capacity);
  TimePoint top_at{};
  int64_t estimate = 20'000'000;
  for (auto t = 0ms; t < 60s; t += kTick) {
    auto now = kT0 + t;
    if (t < 10s) {
      estimate = 20'000'000;
    } else if (t < 40s) {
      estimate = 1'500'000;
    } else {  // the estimate alone climbs 8 %/s, as AIMD does far from convergence
      estimate = std::min<int64_t>(20'000'000, static_cast<int64_t>(estimate * 1.0077));
    }
    loop.step(estimate, now);
    if (t >= 40s && top_at == TimePoint{} && loop.switcher.current() == 0) top_at = now;
  }
  ASSERT_NE(top_at, TimePoint{});
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(top_at - (kT0 + 40s));
  std::printf("capacity return: top after %lld ms, %llu probes (%llu ok)\n",
              static_cast<long long>(took.count()),
              static_cast<unsigned long long>(loop.prober.probes()),
              static_cast<unsigned long long>(loop.prober.successes()));
  EXPECT_LE(took, 10s);
  EXPECT_EQ(loop.switches_between(kT0 + 10s, kT0 + 40s), 1u);  // one down, no flapping
}

// DISABLED: a defect of the flap-clear retune, for the lead. As above, but the estimate
// jumps straight to 8 Mbit/s (3.2 x 720p) at the recovery instead of climbing. The doubled
// next_up_bps (5) then fits the estimate with the probe controller's fits_without_probe
// (5 <= 0.7 x 8), so no probe is sent, while the flap wait still blocks the estimate path:
// it goes up only when the wait ends (720p at 35 s, top at 37 s), later than with a lower
// estimate that still gets probed (any estimate of 2.22-7.14 Mbit/s).
TEST(RenditionSwitcherTest, EstimateFarAboveTheDoubledRungEndsTheFlapWaitToo) {
  auto capacity = [](TimePoint t) { return t < kT0 + 10s ? 4'000'000 : 20'000'000; };
  ViewerLoop loop(2, capacity);
  TimePoint top_at{};
  for (auto t = 0ms; t < 60s && top_at == TimePoint{}; t += kTick) {
    int64_t estimate = t < 5s ? 1'500'000 : t < 10s ? 1'300'000 : 8'000'000;
    loop.step(estimate, kT0 + t);
    if (t >= 10s && loop.switcher.current() == 0) top_at = kT0 + t;
  }
  ASSERT_NE(top_at, TimePoint{});
  EXPECT_EQ(loop.switches_between(kT0, kT0 + 10s), 2u);  // the flap: up, then down
  EXPECT_LE(top_at - (kT0 + 10s), 15s);
}

TEST(RenditionSwitcherTest, NewLadderKeepsTheCurrentRungByName) {
  RenditionSwitcher s(default_ladder(), 1);
  auto ladder = default_ladder();
  ladder[0].bitrate_bps = 8'000'000;
  s.set_ladder(ladder);
  EXPECT_EQ(s.current(), 1u);
  EXPECT_EQ(s.next_up_bps(), 8'000'000);
  ladder.erase(ladder.begin() + 1);  // 720p gone: the best rung below its bitrate
  s.set_ladder(ladder);
  EXPECT_EQ(s.current(), 1u);
  EXPECT_EQ(s.ladder()[s.current()].name, "480p");
  s.set_ladder({});
  EXPECT_FALSE(s.on_estimate(5'000'000, kT0));
  EXPECT_EQ(s.next_up_bps(), 0);
}

TEST(RenditionSwitcherTest, UnknownBitrateRungIsNeverChosen) {
  auto ladder = default_ladder();
  ladder[0].bitrate_bps = 0;  // source not measured yet
  RenditionSwitcher s(ladder, 1);
  EXPECT_EQ(drive(s, 0s, 30s, [](auto) { return 50'000'000; }), 0u);
  EXPECT_EQ(s.current(), 1u);
}

TEST(RenditionSwitcherTest, ACeilingBringsDownAtOnceAndStopsClimbingPastIt) {
  RenditionSwitcher s(default_ladder(), 0);
  EXPECT_EQ(s.set_ceiling(2, kT0), std::optional<size_t>(2u));  // a group's share: 480p
  EXPECT_EQ(s.current(), 2u);
  EXPECT_EQ(s.next_up_bps(), 0) << "no probe past the ceiling";
  EXPECT_EQ(drive(s, 1s, 30s, [](auto) { return 20'000'000; }), 0u);
  EXPECT_FALSE(s.set_ceiling(1, kT0 + 30s));  // lifted one rung: nothing to do at once
  EXPECT_EQ(s.next_up_bps(), 2'500'000);
  EXPECT_EQ(drive(s, 30s, 60s, [](auto) { return 20'000'000; }), 1u);
  EXPECT_EQ(s.current(), 1u);  // up on the estimate, and no further
}

}  // namespace
}  // namespace webrtc::abr
