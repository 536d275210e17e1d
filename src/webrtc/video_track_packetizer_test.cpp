#include "webrtc/video_track_packetizer.hpp"

#include <gtest/gtest.h>

#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/webrtc_test_support.hpp"

using webrtc::VideoTrackPacketizer;
using webrtc::rtp::RtpPacketView;

TEST(VideoTrackPacketizer, KeyframeStartsWithParameterSetsAndEndsWithMarker) {
  VideoTrackPacketizer p(0x1234, 100, 5000);
  auto out = p.packetize(*webrtc::test::h264_frame(true, 0, 5000));
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->keyframe);
  EXPECT_EQ(out->first_seq, 100);
  ASSERT_GE(out->count(), 5u);
  for (size_t i = 0; i < out->count(); ++i) {
    auto v = RtpPacketView::parse(out->packet(i));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->sequence_number(), 100 + i);
    EXPECT_EQ(v->ssrc(), 0x1234u);
    EXPECT_EQ(v->timestamp(), 5000u);
    EXPECT_EQ(v->marker(), i + 1 == out->count());
    EXPECT_LE(v->payload().size(), 1200u);
  }
  EXPECT_EQ(RtpPacketView::parse(out->packet(0))->payload()[0] & 0x1f, 24);  // STAP-A
}

TEST(VideoTrackPacketizer, WaitsForKeyframeAndMapsPtsTo90kHz) {
  VideoTrackPacketizer p(1, 0, 0);
  EXPECT_FALSE(p.packetize(*webrtc::test::h264_frame(false, 0, 100)));
  auto k = p.packetize(*webrtc::test::h264_frame(true, 1000, 100));
  auto d = p.packetize(*webrtc::test::h264_frame(false, 1033, 100));
  ASSERT_TRUE(k && d);
  EXPECT_EQ(d->rtp_timestamp - k->rtp_timestamp, 33u * 90);
  EXPECT_EQ(d->first_seq, static_cast<uint16_t>(k->first_seq + k->count()));
}

TEST(VideoTrackPacketizer, PublisherRestartKeepsTimelineContinuous) {
  VideoTrackPacketizer p(1, 65530, 0xFFFFF000);
  auto a = p.packetize(*webrtc::test::h264_frame(true, 50000, 3000));
  ASSERT_TRUE(a);
  p.mark_discontinuity();
  // The new publisher starts its clock at 0 and first sends an inter frame: dropped.
  EXPECT_FALSE(p.packetize(*webrtc::test::h264_frame(false, 0, 100)));
  auto b = p.packetize(*webrtc::test::h264_frame(true, 33, 100));
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->discontinuity);
  EXPECT_EQ(b->rtp_timestamp - a->rtp_timestamp, 3000u);  // wraps past 2^32
  EXPECT_EQ(b->first_seq, static_cast<uint16_t>(a->first_seq + a->count()));
}

TEST(VideoTrackPacketizer, RejectsMalformedAndForeignFrames) {
  VideoTrackPacketizer p(1, 0, 0);
  auto bad = std::make_shared<media::Frame>(*webrtc::test::h264_frame(true, 0, 100));
  bad->data[3] = 0xff;  // NAL length past the end
  EXPECT_FALSE(p.packetize(*bad));
  auto aac = std::make_shared<media::Frame>();
  aac->codec = media::Codec::AAC;
  EXPECT_FALSE(p.packetize(*aac));
  EXPECT_EQ(p.rejected(), 2u);
}
