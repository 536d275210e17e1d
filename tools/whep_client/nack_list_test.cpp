#include "whep_client/nack_list.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using Time = NackList::TimePoint;
const Time T0 = Time{} + 1h;

std::vector<uint16_t> due(NackList& l, Time now) {
  std::array<uint16_t, 512> out{};
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(l.due(now, out))};
}

TEST(NackList, GapIsRequestedAtOnceThenRetriedThenDropped) {
  NackList l(100ms);
  l.on_packet(65534, T0);
  l.on_packet(1, T0);  // 65535 and 0 lost across the wrap
  EXPECT_EQ(due(l, T0), (std::vector<uint16_t>{65535, 0}));
  EXPECT_TRUE(due(l, T0 + 50ms).empty());
  EXPECT_EQ(due(l, T0 + 100ms).size(), 2u);
  EXPECT_EQ(due(l, T0 + 200ms).size(), 2u);
  EXPECT_TRUE(due(l, T0 + 300ms).empty());  // MaxRetries reached
  EXPECT_EQ(l.missing(), 0u);
  EXPECT_EQ(l.given_up(), 2u);
}

TEST(NackList, ArrivalCancelsAndCountsRecovery) {
  NackList l;
  l.on_packet(10, T0);
  l.on_packet(13, T0);
  EXPECT_EQ(due(l, T0), (std::vector<uint16_t>{11, 12}));
  l.on_packet(12, T0 + 5ms);
  EXPECT_EQ(l.missing(), 1u);
  EXPECT_EQ(l.recovered(), 1u);
  l.on_packet(12, T0 + 6ms);  // duplicate: nothing changes
  EXPECT_EQ(l.recovered(), 1u);
}

TEST(NackList, WideJumpIsARestartAndListIsBounded) {
  NackList l;
  l.on_packet(0, T0);
  l.on_packet(1000, T0);  // wider than MaxMissing: not requested
  EXPECT_EQ(l.missing(), 0u);
  // Many small gaps: never more than MaxMissing entries.
  uint16_t seq = 1000;
  for (int i = 0; i < 400; ++i) {
    seq = static_cast<uint16_t>(seq + 2);
    l.on_packet(seq, T0);
  }
  EXPECT_EQ(l.missing(), NackList::MaxMissing);
  EXPECT_GT(l.given_up(), 0u);
}

TEST(NackList, OldEntriesAgeOut) {
  NackList l;
  l.on_packet(0, T0);
  l.on_packet(2, T0);
  EXPECT_EQ(due(l, T0), (std::vector<uint16_t>{1}));
  for (uint16_t s = 3; s < 1100; ++s)
    l.on_packet(s, T0);
  EXPECT_TRUE(due(l, T0 + 1s).empty());
  EXPECT_EQ(l.missing(), 0u);
}

}  // namespace
}  // namespace tools::whep_client
