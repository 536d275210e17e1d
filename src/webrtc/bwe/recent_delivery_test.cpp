#include "webrtc/bwe/recent_delivery.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace webrtc::bwe {
namespace {

using std::chrono::microseconds;

// 1000-byte packets arriving every `gap_us`, every `lose_every`-th one lost (0: none).
std::vector<PacketResult> trace(int64_t first, size_t n, int64_t gap_us, size_t lose_every,
                                RecentDelivery& d) {
  std::vector<PacketResult> out;
  for (size_t i = 0; i < n; ++i) {
    const int64_t seq = first + static_cast<int64_t>(i);
    d.on_sent(seq, 1000);
    PacketResult r;
    r.sequence = seq;
    if (lose_every == 0 || (i + 1) % lose_every != 0) r.receive_time = microseconds(seq * gap_us);
    out.push_back(r);
  }
  return out;
}

TEST(RecentDelivery, NothingBeforeAWindowOfFeedback) {
  RecentDelivery d;
  d.on_feedback(trace(0, 10, 1000, 0, d));  // 9 ms of arrivals
  EXPECT_FALSE(d.last());
}

TEST(RecentDelivery, RateAndLossOfTheWindow) {
  RecentDelivery d;
  // 1000 bytes every 4 ms: 2 Mbit/s received; one packet in four lost.
  d.on_feedback(trace(0, 60, 4000, 4, d));
  ASSERT_TRUE(d.last());
  EXPECT_NEAR(static_cast<double>(d.last()->bps), 2'000'000 * 0.75, 120'000);
  EXPECT_NEAR(d.last()->loss, 0.25, 0.02);
  EXPECT_EQ(d.last()->packets, 60u);
}

TEST(RecentDelivery, PacketsItNeverSentAreNotCounted) {
  RecentDelivery d;
  std::vector<PacketResult> unknown(100);
  for (size_t i = 0; i < unknown.size(); ++i) {
    unknown[i].sequence = static_cast<int64_t>(i);
    unknown[i].receive_time = microseconds(static_cast<int64_t>(i) * 10'000);
  }
  d.on_feedback(unknown);
  EXPECT_FALSE(d.last());
}

}  // namespace
}  // namespace webrtc::bwe
