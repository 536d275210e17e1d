// The switcher and probe controller on the real BandwidthEstimator over the simulated
// bottleneck of bwe/link_simulator_test_support.hpp. The simulator cannot send probes, so a
// probe's result is modelled as min(target, capacity); its sender sends min(estimate, 8
// Mbit/s) rather than the rung's rate, which makes the estimate saw-tooth on a full link (a
// harsher test of anti-flap than a real viewer, whose rate is the rung's).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "webrtc/abr/abr_loop_test_support.hpp"
#include "webrtc/bwe/link_simulator_test_support.hpp"

namespace webrtc::abr {
namespace {

using namespace std::chrono_literals;
using bwe::test::LinkConfig;
using bwe::test::LinkSimulator;
using test::ViewerLoop;

const TimePoint kT0 = TimePoint{} + 1000s;  // the simulator's own time base

int64_t capacity_at(std::chrono::milliseconds t) {
  if (t < 40s) return 10'000'000;
  if (t < 100s) return 1'500'000;
  return 10'000'000;
}

TEST(AbrLinkTest, DropAndReturnOnTheRealEstimator) {
  LinkConfig link;
  link.capacity_bps = capacity_at;
  LinkSimulator sim(link);
  ViewerLoop loop(2, [](TimePoint t) {
    return capacity_at(std::chrono::duration_cast<std::chrono::milliseconds>(t - kT0));
  });
  auto fits_at = std::chrono::milliseconds::max();
  auto top_at = std::chrono::milliseconds::max();
  sim.run_until(160s, [&](std::chrono::milliseconds t, int64_t estimate) {
    if (t.count() % 100 != 0) return;
    loop.step(estimate, kT0 + t);
    auto playing = loop.switcher.ladder()[loop.switcher.current()].bitrate_bps;
    if (t >= 40s && t < 100s && fits_at == std::chrono::milliseconds::max() &&
        playing <= 1'500'000) {
      fits_at = t;
    }
    if (t >= 100s && top_at == std::chrono::milliseconds::max() && loop.switcher.current() == 0) {
      top_at = t;
    }
  });
  std::printf(
      "link 10 -> 1.5 -> 10 Mbit/s: fits %lld ms after the drop, top %lld ms after the return, "
      "switches %zu (drop period %zu), probes %llu (%llu ok)\n",
      static_cast<long long>((fits_at - 40s).count()),
      static_cast<long long>((top_at - 100s).count()), loop.log.size(),
      loop.switches_between(kT0 + 41s, kT0 + 100s),
      static_cast<unsigned long long>(loop.prober.probes()),
      static_cast<unsigned long long>(loop.prober.successes()));
  for (const auto& [when, to] : loop.log) {
    std::printf("  %6lld ms -> %s\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(when - kT0).count()),
                loop.switcher.ladder()[to].name.c_str());
  }
  ASSERT_NE(fits_at, std::chrono::milliseconds::max());
  EXPECT_LE(fits_at - 40s, 1s);
  // Steady at 1.5 Mbit/s for a minute: the drop itself, nothing after it settles.
  EXPECT_LE(loop.switches_between(kT0 + 41s, kT0 + 100s), 1u);
  ASSERT_NE(top_at, std::chrono::milliseconds::max());
  EXPECT_LE(top_at - 100s, 10s);
  EXPECT_EQ(loop.switches_between(kT0 + 120s, kT0 + 160s), 0u);
}

// A full link for 10 minutes: the simulated sender fills it, so the estimate saw-tooths
// around the 720p rung's need (2.94 Mbit/s) and, from 3.5 Mbit/s up, probes for it (modelled
// as min(target, capacity), blind to the sender's own traffic; success needs 2.5 / 0.75 =
// 3.33) succeed, winning a rung the next dip loses. At 3 Mbit/s they fail: it must stay put.
// The flap wait must space these out to at most one switch a minute once it has grown; the
// doubled probes it asks for (5 Mbit/s, shown at 6.67) fail on these links and end nothing.
TEST(AbrLinkTest, SawToothingEstimateOnAFullLinkDoesNotFlap) {
  for (int64_t capacity : {3'000'000, 3'500'000, 4'000'000, 4'500'000}) {
    LinkConfig link;
    link.capacity_bps = [=](auto) { return capacity; };
    LinkSimulator sim(link);
    ViewerLoop loop(2, [=](TimePoint) { return capacity; });
    sim.run_until(600s, [&](std::chrono::milliseconds t, int64_t estimate) {
      if (t.count() % 100 == 0) loop.step(estimate, kT0 + t);
    });
    size_t steady = loop.switches_between(kT0 + 2min, kT0 + 10min);
    std::printf(
        "full %lld bit/s link: %zu switches in 10 min, %zu in minutes 2-10, probes %llu "
        "(%llu ok), playing %s\n",
        static_cast<long long>(capacity), loop.log.size(), steady,
        static_cast<unsigned long long>(loop.prober.probes()),
        static_cast<unsigned long long>(loop.prober.successes()),
        loop.switcher.ladder()[loop.switcher.current()].name.c_str());
    if (std::getenv("ABR_TRACE")) {
      for (const auto& [when, to] : loop.log) {
        std::printf("  %6lld ms -> %s\n",
                    static_cast<long long>(
                        std::chrono::duration_cast<std::chrono::milliseconds>(when - kT0).count()),
                    loop.switcher.ladder()[to].name.c_str());
      }
    }
    EXPECT_LE(steady, 8u) << capacity;
  }
}

}  // namespace
}  // namespace webrtc::abr
