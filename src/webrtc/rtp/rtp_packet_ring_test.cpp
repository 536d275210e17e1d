#include "webrtc/rtp/rtp_packet_ring.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/rtp_header_writer.hpp"

namespace webrtc::rtp {
namespace {

std::vector<uint8_t> packet(uint16_t seq, size_t payload = 10) {
  RtpHeaderWriter w({false, 96, seq, seq * 10u, 5});
  std::vector<uint8_t> b(w.size() + payload, static_cast<uint8_t>(seq));
  w.write_to(b);
  return b;
}

uint16_t seq_of(std::span<const uint8_t> p) {
  return static_cast<uint16_t>(p[2] << 8 | p[3]);
}

TEST(RtpPacketRing, StoresAndFindsBySequence) {
  RtpPacketRing ring(8, 64);
  EXPECT_FALSE(ring.newest());
  EXPECT_FALSE(ring.find(0));
  for (uint16_t s = 100; s < 105; ++s)
    ASSERT_TRUE(ring.store(packet(s)));
  EXPECT_EQ(*ring.newest(), 104);
  for (uint16_t s = 100; s < 105; ++s) {
    auto p = ring.find(s);
    ASSERT_TRUE(p) << s;
    EXPECT_EQ(seq_of(*p), s);
    EXPECT_EQ(p->size(), 22u);
  }
  EXPECT_FALSE(ring.find(99));
  EXPECT_FALSE(ring.find(105));
}

TEST(RtpPacketRing, OverwritesOldestAndWrapsSequenceSpace) {
  RtpPacketRing ring(10, 64);  // rounded up to 16
  EXPECT_EQ(ring.capacity(), 16u);
  for (uint32_t i = 0; i < 40; ++i)
    ASSERT_TRUE(ring.store(packet(static_cast<uint16_t>(65520 + i))));
  EXPECT_EQ(*ring.newest(), 23);  // 65520 + 39 wrapped
  for (uint32_t i = 0; i < 40; ++i) {
    const uint16_t s = static_cast<uint16_t>(65520 + i);
    EXPECT_EQ(ring.find(s).has_value(), i >= 24) << s;
  }
}

TEST(RtpPacketRing, ZeroCopyPrepareCommit) {
  RtpPacketRing ring(4, 32);
  auto slot = ring.prepare(7);
  ASSERT_EQ(slot.size(), 32u);
  auto pkt = packet(7, 4);
  std::copy(pkt.begin(), pkt.end(), slot.begin());
  EXPECT_FALSE(ring.find(7));                // not published yet
  EXPECT_FALSE(ring.commit(8, pkt.size()));  // not the prepared sequence
  EXPECT_FALSE(ring.commit(7, 33));          // larger than a slot
  EXPECT_TRUE(ring.commit(7, pkt.size(), true));
  EXPECT_EQ(ring.find(7)->size(), pkt.size());
  EXPECT_EQ(*ring.last_keyframe_start(), 7);
  // Preparing the slot again removes the old packet at once.
  ring.prepare(11);
  EXPECT_FALSE(ring.find(7));
  EXPECT_FALSE(ring.last_keyframe_start());
}

TEST(RtpPacketRing, StaleEntriesAfterJumpAreNotReturned) {
  RtpPacketRing ring(16, 64);
  ASSERT_TRUE(ring.store(packet(1)));
  ASSERT_TRUE(ring.store(packet(1000)));  // jump far ahead: seq 1 is now too old
  EXPECT_FALSE(ring.find(1));
  EXPECT_TRUE(ring.find(1000));
  EXPECT_FALSE(ring.store(std::vector<uint8_t>(5, 0x80)));  // not RTP
  EXPECT_FALSE(ring.store(packet(3, 100)));                 // larger than a slot
  ring.clear();
  EXPECT_FALSE(ring.find(1000));
  EXPECT_FALSE(ring.newest());
}

TEST(RtpPacketRing, DefaultGeometry) {
  RtpPacketRing ring;
  EXPECT_EQ(ring.capacity(), 4096u);
  EXPECT_EQ(ring.slot_size(), 1232u);
  EXPECT_EQ(ring.prepare(65535).size(), 1232u);
}

}  // namespace
}  // namespace webrtc::rtp
