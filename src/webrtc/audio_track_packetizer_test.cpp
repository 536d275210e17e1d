#include "webrtc/audio_track_packetizer.hpp"

#include <gtest/gtest.h>

#include "webrtc/rtp/rtp_packet.hpp"

using webrtc::AudioTrackPacketizer;

TEST(AudioTrackPacketizer, OnePacketPerOpusFrameWith48kTimestamps) {
  AudioTrackPacketizer p(0xA0, 65535, 1000);
  const std::vector<uint8_t> opus(80, 0x7c);
  auto a = p.packetize(opus, 0, 0, 0);
  auto b = p.packetize(opus, 960, 20, 20);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->count(), 1u);
  auto va = webrtc::rtp::RtpPacketView::parse(a->packet(0));
  auto vb = webrtc::rtp::RtpPacketView::parse(b->packet(0));
  ASSERT_TRUE(va && vb);
  EXPECT_EQ(va->sequence_number(), 65535);
  EXPECT_EQ(vb->sequence_number(), 0);  // wraps
  EXPECT_EQ(va->timestamp(), 1000u);
  EXPECT_EQ(vb->timestamp(), 1960u);
  EXPECT_TRUE(va->marker());
  EXPECT_FALSE(vb->marker());
  EXPECT_EQ(vb->payload().size(), 80u);
  EXPECT_EQ(vb->ssrc(), 0xA0u);
  EXPECT_TRUE(b->keyframe);
}

TEST(AudioTrackPacketizer, RestartContinuesTheTimeline) {
  AudioTrackPacketizer p(1, 0, 0);
  const std::vector<uint8_t> opus(10, 1);
  p.packetize(opus, 480000, 0, 0);
  auto last = p.packetize(opus, 480960, 0, 0);
  p.mark_discontinuity();
  auto next = p.packetize(opus, 0, 0, 0);  // the new publisher's clock starts at 0
  ASSERT_TRUE(last && next);
  EXPECT_EQ(next->rtp_timestamp - last->rtp_timestamp, 960u);
  EXPECT_TRUE(next->discontinuity);
  auto jump = p.packetize(opus, 10 * 48000, 0, 0);  // a 10 s jump is rebased too
  EXPECT_EQ(jump->rtp_timestamp - next->rtp_timestamp, 960u);
}

TEST(AudioTrackPacketizer, RejectsEmptyAndOversizedPackets) {
  AudioTrackPacketizer p(1, 0, 0);
  EXPECT_FALSE(p.packetize({}, 0, 0, 0));
  EXPECT_FALSE(p.packetize(std::vector<uint8_t>(5000, 0), 0, 0, 0));
}
