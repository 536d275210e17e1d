#include "webrtc/sent_packet_map.hpp"

#include <gtest/gtest.h>

namespace {

using webrtc::SentPacketMap;

TEST(SentPacketMap, LivePacketsFormOneRunAcrossSequenceWrap) {
  SentPacketMap map(4);
  for (uint32_t i = 0; i < 5000; ++i)
    map.record(static_cast<uint16_t>(65000 + i), static_cast<uint16_t>(100 + i), 7);
  EXPECT_EQ(map.runs(), 1u);
  const auto e = map.find(static_cast<uint16_t>(65000 + 10));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->stream_seq, 110);
  EXPECT_EQ(e->ts_offset, 7u);
  EXPECT_FALSE(map.find(static_cast<uint16_t>(65000 + 5000)));  // not sent yet
  EXPECT_FALSE(map.find(64999));                                // before the first
}

TEST(SentPacketMap, EachTimestampOrStreamJumpStartsARun) {
  SentPacketMap map(8);
  map.record(1, 500, 0);
  map.record(2, 501, 0);
  map.record(3, 400, 9);  // a replayed frame: older stream packets, its own timestamp
  map.record(4, 401, 9);
  map.record(5, 502, 0);
  EXPECT_EQ(map.runs(), 3u);
  EXPECT_EQ(map.find(2)->stream_seq, 501);
  EXPECT_EQ(map.find(4)->stream_seq, 401);
  EXPECT_EQ(map.find(4)->ts_offset, 9u);
  EXPECT_EQ(map.find(5)->stream_seq, 502);
}

TEST(SentPacketMap, ForgetsRunsBeyondItsCapacityAndHalfTheSequenceSpace) {
  SentPacketMap map(2);
  map.record(1, 10, 1);
  map.record(2, 20, 2);
  map.record(3, 30, 3);
  EXPECT_FALSE(map.find(1));  // its run was overwritten
  EXPECT_EQ(map.find(2)->stream_seq, 20);
  EXPECT_EQ(map.find(3)->stream_seq, 30);
  SentPacketMap big(4);
  for (uint32_t i = 0; i < 40000; ++i)
    big.record(static_cast<uint16_t>(i), static_cast<uint16_t>(i), 0);
  EXPECT_FALSE(big.find(0));  // 40000 packets ago: ambiguous under wrap, refused
  EXPECT_TRUE(big.find(static_cast<uint16_t>(40000 - 30000)));
}

}  // namespace
