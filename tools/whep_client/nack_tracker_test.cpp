#include "whep_client/nack_tracker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using TimePoint = NackTracker::TimePoint;
const TimePoint T0 = TimePoint{} + 1h;
// As whep_client --nack asks: at once, then every 100 ms, three times in all.
constexpr NackTrackerConfig AtOnce{.reorder_wait = 0ms, .retry_interval = 100ms, .max_sends = 3};

std::vector<uint16_t> due(NackTracker& n, TimePoint now) {
  std::array<uint16_t, 512> out{};
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n.due(now, out))};
}

TEST(NackTracker, GapIsRequestedAfterTheReorderWait) {
  NackTracker n({.reorder_wait = 10ms, .retry_interval = 100ms, .max_sends = 3});
  const TimePoint t0{};
  std::array<uint16_t, 16> out{};
  n.on_packet(100, t0);
  n.on_packet(103, t0);  // 101, 102 missing
  EXPECT_EQ(n.due(t0 + 5ms, out), 0u);
  ASSERT_EQ(n.next_due(), t0 + 10ms);
  ASSERT_EQ(n.due(t0 + 10ms, out), 2u);
  EXPECT_EQ(out[0], 101);
  EXPECT_EQ(out[1], 102);
  EXPECT_EQ(n.requested(), 2u);
  EXPECT_EQ(n.due(t0 + 50ms, out), 0u);  // retry only after the interval
  EXPECT_EQ(n.due(t0 + 110ms, out), 2u);
}

TEST(NackTracker, WithoutReorderWaitAGapIsRequestedAtOnceThenRetriedThenDropped) {
  NackTracker n(AtOnce);
  n.on_packet(65534, T0);
  n.on_packet(1, T0);  // 65535 and 0 lost across the wrap
  EXPECT_EQ(due(n, T0), (std::vector<uint16_t>{65535, 0}));
  EXPECT_TRUE(due(n, T0 + 50ms).empty());
  EXPECT_EQ(due(n, T0 + 100ms).size(), 2u);
  EXPECT_EQ(due(n, T0 + 200ms).size(), 2u);
  EXPECT_TRUE(due(n, T0 + 300ms).empty());  // max_sends reached
  EXPECT_EQ(n.missing(), 0u);
  EXPECT_EQ(n.given_up(), 2u);
}

TEST(NackTracker, ReorderedPacketNeedsNoNack) {
  NackTracker n;
  const TimePoint t0{};
  std::array<uint16_t, 16> out{};
  n.on_packet(1, t0);
  n.on_packet(3, t0);
  n.on_packet(2, t0 + 1ms);
  EXPECT_EQ(n.missing(), 0u);
  EXPECT_EQ(n.due(t0 + 1s, out), 0u);
  EXPECT_EQ(n.recovered(), 0u);
  EXPECT_FALSE(n.next_due());
}

TEST(NackTracker, ArrivalCancelsAndCountsRecovery) {
  NackTracker n(AtOnce);
  n.on_packet(10, T0);
  n.on_packet(13, T0);
  EXPECT_EQ(due(n, T0), (std::vector<uint16_t>{11, 12}));
  n.on_packet(12, T0 + 5ms);
  EXPECT_EQ(n.missing(), 1u);
  EXPECT_EQ(n.recovered(), 1u);
  n.on_packet(12, T0 + 6ms);  // duplicate: nothing changes
  EXPECT_EQ(n.recovered(), 1u);
}

TEST(NackTracker, RepairCountsAsRecoveredAndGivesUpAfterMaxSends) {
  NackTracker n({.reorder_wait = 0ms, .retry_interval = 10ms, .max_sends = 2});
  const TimePoint t0{};
  std::array<uint16_t, 16> out{};
  n.on_packet(65534, t0);
  n.on_packet(1, t0);  // wraps: 65535 and 0 missing
  ASSERT_EQ(n.due(t0, out), 2u);
  EXPECT_EQ(out[0], 65535);
  EXPECT_EQ(out[1], 0);
  n.on_packet(0, t0 + 5ms);  // repaired
  EXPECT_EQ(n.recovered(), 1u);
  EXPECT_EQ(n.due(t0 + 10ms, out), 1u);
  EXPECT_EQ(n.due(t0 + 20ms, out), 0u);  // sent twice: given up
  EXPECT_EQ(n.missing(), 0u);
}

TEST(NackTracker, WideJumpIsARestartAndTheListIsBounded) {
  NackTracker n(AtOnce);
  n.on_packet(0, T0);
  n.on_packet(1000, T0);  // wider than MaxMissing: not requested
  EXPECT_EQ(n.missing(), 0u);
  // Many small gaps: never more than MaxMissing entries.
  uint16_t seq = 1000;
  for (int i = 0; i < 400; ++i) {
    seq = static_cast<uint16_t>(seq + 2);
    n.on_packet(seq, T0);
  }
  EXPECT_EQ(n.missing(), NackTracker::MaxMissing);
  EXPECT_GT(n.given_up(), 0u);
}

TEST(NackTracker, BoundsHoldUnderRandomSequenceNumbers) {
  NackTracker n;
  const TimePoint t0{};
  std::array<uint16_t, NackTracker::MaxMissing> out{};
  n.on_packet(0, t0);
  n.on_packet(5000, t0);
  EXPECT_EQ(n.missing(), 0u);
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) {
    n.on_packet(static_cast<uint16_t>(rng()), t0 + std::chrono::milliseconds(i));
    EXPECT_LE(n.missing(), NackTracker::MaxMissing);
    n.due(t0 + std::chrono::milliseconds(i), out);
  }
}

TEST(NackTracker, OldEntriesAgeOut) {
  NackTracker n(AtOnce);
  n.on_packet(0, T0);
  n.on_packet(2, T0);
  EXPECT_EQ(due(n, T0), (std::vector<uint16_t>{1}));
  for (uint16_t s = 3; s < 1100; ++s)
    n.on_packet(s, T0);
  EXPECT_TRUE(due(n, T0 + 1s).empty());
  EXPECT_EQ(n.missing(), 0u);
}

}  // namespace
}  // namespace tools::whep_client
