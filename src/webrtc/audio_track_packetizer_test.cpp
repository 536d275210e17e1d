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

constexpr int64_t kMs = 1'000'000;

TEST(AudioTrackPacketizer, RestartWithoutGapContinuesOnePacketLater) {
  AudioTrackPacketizer p(1, 0, 0);
  const std::vector<uint8_t> opus(10, 1);
  p.packetize(opus, 480000, 10000 * kMs, 10000 * kMs);
  auto last = p.packetize(opus, 480960, 10020 * kMs, 10020 * kMs);
  p.mark_discontinuity();
  // The new publisher's clock starts at 0; it is live 5 ms after the last packet.
  auto next = p.packetize(opus, 0, 10025 * kMs, 10025 * kMs);
  ASSERT_TRUE(last && next);
  EXPECT_EQ(next->rtp_timestamp - last->rtp_timestamp, 960u);
  EXPECT_TRUE(next->discontinuity);
  EXPECT_EQ(next->first_seq, static_cast<uint16_t>(last->first_seq + 1));
  auto va = webrtc::rtp::RtpPacketView::parse(next->packet(0));
  ASSERT_TRUE(va);
  EXPECT_TRUE(va->marker());  // RFC 3551 4.1: a new talkspurt
}

TEST(AudioTrackPacketizer, RestartAdvancesTimestampsByTheRealGap) {
  AudioTrackPacketizer p(1, 65000, 0xFFFF0000);
  const std::vector<uint8_t> opus(10, 1);
  webrtc::PacketizedFramePtr last;
  for (int i = 0; i < 50; ++i) {  // 1 s of 20 ms packets
    const int64_t t = (3000 + i * 20) * kMs;
    last = p.packetize(opus, 960 * i, t, t);
  }
  p.mark_discontinuity();
  const int64_t back = last->sync_ns + 2000 * kMs;  // 2 s later, a clock from 0 again
  auto first = p.packetize(opus, 0, back, back);
  auto second = p.packetize(opus, 960, back + 20 * kMs, back + 20 * kMs);
  ASSERT_TRUE(last && first && second);
  const uint32_t jump = first->rtp_timestamp - last->rtp_timestamp;  // wraps past 2^32
  EXPECT_NEAR(static_cast<double>(jump), 2.0 * 48000, 960);
  EXPECT_NEAR(static_cast<double>(jump),
              static_cast<double>(first->sync_ns - last->sync_ns) * 48e-6, 1.0);
  EXPECT_EQ(first->first_seq, static_cast<uint16_t>(last->first_seq + 1));
  EXPECT_EQ(second->rtp_timestamp - first->rtp_timestamp, 960u);
}

TEST(AudioTrackPacketizer, TimestampJumpsFollowTheClocks) {
  AudioTrackPacketizer p(1, 0, 0);
  const std::vector<uint8_t> opus(10, 1);
  auto a = p.packetize(opus, 0, 1000 * kMs, 1000 * kMs);
  // Opus passed through from a publisher that sent nothing for 3 s: a real pause.
  auto b = p.packetize(opus, 3 * 48000, 4000 * kMs, 4000 * kMs);
  // Then its clock jumps 20 s ahead while packets keep coming every 20 ms: not a real pause.
  auto c = p.packetize(opus, 23 * 48000, 4020 * kMs, 24000 * kMs);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(b->rtp_timestamp - a->rtp_timestamp, 3u * 48000);
  EXPECT_EQ(c->rtp_timestamp - b->rtp_timestamp, 960u);
}

TEST(AudioTrackPacketizer, RejectsEmptyAndOversizedPackets) {
  AudioTrackPacketizer p(1, 0, 0);
  EXPECT_FALSE(p.packetize({}, 0, 0, 0));
  EXPECT_FALSE(p.packetize(std::vector<uint8_t>(5000, 0), 0, 0, 0));
}
