#include "load_client/nack_tracker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace bench::load_client {
namespace {

using namespace std::chrono_literals;
using TimePoint = NackTracker::TimePoint;

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

TEST(NackTracker, WideJumpIsARestartAndBoundsHold) {
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

}  // namespace
}  // namespace bench::load_client
