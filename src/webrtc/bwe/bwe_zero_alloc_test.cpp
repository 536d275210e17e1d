// The estimator runs per viewer per packet: after construction, sending and feedback must not
// allocate (style guide (b) 3).
#include <gtest/gtest.h>

#include <vector>

#include "base/allocation_counter_test_support.hpp"
#include "webrtc/bwe/bandwidth_estimator.hpp"

namespace webrtc::bwe {
namespace {

using namespace std::chrono_literals;

TEST(BandwidthEstimatorAllocationTest, SendAndFeedbackAllocateNothing) {
  BandwidthEstimator bwe;
  const TimePoint t0 = TimePoint{} + 50s;
  std::vector<PacketResult> feedback(100);
  int64_t seq = 0;
  auto one_round = [&](int round) {
    for (auto& result : feedback) {
      bwe.on_packet_sent(seq, 1200, t0 + seq * 1ms);
      result = PacketResult{seq, {}, 0, RemoteTime{seq * 1100}};
      if (seq % 17 == 0) result.receive_time.reset();
      ++seq;
    }
    bwe.on_feedback(feedback, t0 + round * 100ms + 50ms);
  };
  one_round(1);
  size_t allocations = base::test::allocations_in([&] {
    for (int round = 2; round < 50; ++round)
      one_round(round);
    (void)bwe.estimate_bps();
  });
  EXPECT_EQ(allocations, 0u);
  EXPECT_GT(bwe.state().feedbacks, 40u);
}

}  // namespace
}  // namespace webrtc::bwe
