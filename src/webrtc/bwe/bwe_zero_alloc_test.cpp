// The estimator runs per viewer per packet: after construction, sending and feedback must not
// allocate (style guide (b) 3).
#include <gtest/gtest.h>

#include <vector>

#include "base/allocation_counter_test_support.hpp"
#include "webrtc/bwe/bandwidth_estimator.hpp"
#include "webrtc/bwe/transport_feedback_adapter.hpp"
#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/transport_cc_writer.hpp"

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

// Feedback as it arrives: parse, adapt, estimate. The RTCP bytes are built beforehand (the
// writer is for tests and the load client); the adapter's buffers warm on the first one.
TEST(BandwidthEstimatorAllocationTest, TransportFeedbackAdapterAllocatesNothingWhenWarm) {
  BandwidthEstimator bwe;
  TransportFeedbackAdapter adapter;
  const TimePoint t0 = TimePoint{} + 50s;
  std::vector<std::vector<uint8_t>> feedbacks;
  std::vector<rtcp::TransportCcPacket> packets(100);
  for (int round = 0; round < 50; ++round) {
    const int64_t first = 65'000 + round * 100;  // crosses the 16-bit wrap
    for (int i = 0; i < 100; ++i) {
      const int64_t seq = first + i;
      bwe.on_packet_sent(seq, 1200, t0 + seq * 1ms);
      packets[i] = {static_cast<uint16_t>(seq), seq % 17 != 0, seq % 17 != 0 ? 1000 : 0};
    }
    feedbacks.emplace_back();
    ASSERT_TRUE(rtcp::build_transport_cc(
        {1, 2, static_cast<uint16_t>(first), round, static_cast<uint8_t>(round)}, packets,
        feedbacks.back()));
  }
  auto deliver = [&](int round) {
    rtcp::CompoundReader reader(feedbacks[round]);
    auto fb = rtcp::TransportCc::parse(*reader.next());
    bwe.on_feedback(adapter.on_feedback(*fb), t0 + 65s + round * 100ms + 150ms);
  };
  deliver(0);
  size_t allocations = base::test::allocations_in([&] {
    for (int round = 1; round < 50; ++round)
      deliver(round);
  });
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(adapter.feedbacks(), 50u);
  EXPECT_EQ(bwe.state().ignored_results, 0u);
}

}  // namespace
}  // namespace webrtc::bwe
