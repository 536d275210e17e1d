// The probe estimator sees every probe packet and every feedback; the controller and the
// switcher run on every estimate update: after construction none may allocate (style (b) 3).
#include <gtest/gtest.h>

#include <vector>

#include "base/allocation_counter_test_support.hpp"
#include "webrtc/abr/abr_loop_test_support.hpp"
#include "webrtc/abr/probe_bitrate_estimator.hpp"

namespace webrtc::abr {
namespace {

using namespace std::chrono_literals;
using webrtc::bwe::PacketResult;
using webrtc::bwe::RemoteTime;

TEST(AbrAllocationTest, ProbingAndSwitchingAllocateNothing) {
  const TimePoint t0 = TimePoint{} + 50s;
  ProbeBitrateEstimator estimator;
  RenditionSwitcher switcher(test::default_ladder(), 2);
  ProbeController prober;
  std::vector<PacketResult> feedback(100);
  int64_t seq = 0;
  size_t measured = 0;
  auto one_round = [&](int round) {
    auto now = t0 + round * 100ms;
    for (auto& result : feedback) {
      estimator.on_probe_sent(seq, round, 1200, t0 + seq * 1ms);
      result = PacketResult{seq, {}, 0, RemoteTime{seq * 1100}};
      if (seq % 17 == 0) result.receive_time.reset();
      ++seq;
    }
    if (auto m = estimator.on_feedback(feedback)) {
      ++measured;
      if (prober.on_probe_result(m->cluster, m->bps, now)) switcher.on_probe_succeeded(m->bps, now);
    }
    int64_t estimate = round % 20 < 10 ? 1'500'000 : 4'000'000;
    switcher.on_estimate(estimate, now);
    (void)prober.on_estimate(estimate, switcher.next_up_bps(), now);
  };
  one_round(0);
  size_t allocations = base::test::allocations_in([&] {
    for (int round = 1; round < 200; ++round)
      one_round(round);
  });
  EXPECT_EQ(allocations, 0u);
  EXPECT_GT(measured, 100u);
  EXPECT_GT(switcher.switches(), 0u);
}

}  // namespace
}  // namespace webrtc::abr
