#include "webrtc/video_track_packetizer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/rtp/vp8_payload_descriptor.hpp"
#include "webrtc/webrtc_test_support.hpp"

using webrtc::PacketizedFramePtr;
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

// A frame of the test helper with its own ingest time: arrival and sync clock in ns.
media::Frame frame_at(bool key, int64_t pts_ms, int64_t arrival_ms) {
  media::Frame f = *webrtc::test::h264_frame(key, pts_ms, 100);
  f.arrival_ns = arrival_ms * 1'000'000;
  return f;
}

int64_t sync_of(const media::Frame& f) {
  return f.arrival_ns;
}

TEST(VideoTrackPacketizer, PublisherRestartWithoutGapContinuesOneFrameLater) {
  VideoTrackPacketizer p(1, 65530, 0xFFFFF000);
  const auto last = frame_at(true, 50000, 7000);
  auto a = p.packetize(last, sync_of(last));
  ASSERT_TRUE(a);
  p.mark_discontinuity();
  // A takeover: the new publisher is live 10 ms later, its clock starts at 0, and it first
  // sends an inter frame, which is dropped.
  const auto inter = frame_at(false, 0, 7010);
  EXPECT_FALSE(p.packetize(inter, sync_of(inter)));
  const auto key = frame_at(true, 33, 7010);
  auto b = p.packetize(key, sync_of(key));
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->discontinuity);
  EXPECT_EQ(b->rtp_timestamp - a->rtp_timestamp, 3000u);  // one frame; wraps past 2^32
  EXPECT_EQ(b->first_seq, static_cast<uint16_t>(a->first_seq + a->count()));
}

TEST(VideoTrackPacketizer, PublisherRestartAdvancesTimestampsByTheRealGap) {
  VideoTrackPacketizer p(1, 100, 0xFFF00000);
  PacketizedFramePtr last;
  for (int i = 0; i < 30; ++i) {  // the old publish: 1 s at 30 fps from pts 50 s
    const auto f = frame_at(i == 0, 50000 + i * 33, 1000 + i * 33);
    last = p.packetize(f, sync_of(f));
    ASSERT_TRUE(last);
  }
  p.mark_discontinuity();
  // The phone is back 2 s after its last frame, with a clock starting at 0.
  const int64_t back_ms = 1000 + 29 * 33 + 2000;
  const auto key = frame_at(true, 0, back_ms);
  auto first = p.packetize(key, sync_of(key));
  const auto next_frame = frame_at(false, 33, back_ms + 33);
  auto next = p.packetize(next_frame, sync_of(next_frame));
  ASSERT_TRUE(first && next);
  const uint32_t jump = first->rtp_timestamp - last->rtp_timestamp;  // wraps past 2^32
  EXPECT_NEAR(static_cast<double>(jump), 2.0 * 90000, 3000);
  // Sender reports map sync_ns to RTP time: both advanced by the same amount.
  const double sync_jump_ticks = static_cast<double>(first->sync_ns - last->sync_ns) * 90e-6;
  EXPECT_NEAR(static_cast<double>(jump), sync_jump_ticks, 1.0);
  EXPECT_EQ(first->first_seq, static_cast<uint16_t>(last->first_seq + last->count()));
  EXPECT_EQ(next->rtp_timestamp - first->rtp_timestamp, 33u * 90);  // then the new clock
}

TEST(VideoTrackPacketizer, LongPauseInsideAPublishKeepsItsRealLength) {
  // A still screen: the phone sends nothing for 12 s, then goes on with its own clock.
  VideoTrackPacketizer p(1, 0, 0);
  const auto a_frame = frame_at(true, 1000, 5000);
  const auto b_frame = frame_at(false, 13000, 17000);
  auto a = p.packetize(a_frame, sync_of(a_frame));
  auto b = p.packetize(b_frame, sync_of(b_frame));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->rtp_timestamp - a->rtp_timestamp, 12u * 90000);
  EXPECT_FALSE(b->discontinuity);
}

TEST(VideoTrackPacketizer, BogusTimestampJumpFollowsTheArrivalClock) {
  // The publisher's clock jumps by an hour between two frames 33 ms apart; the sync clock
  // (derived from publisher timestamps) jumps with it, arrival does not.
  VideoTrackPacketizer p(1, 0, 0);
  const auto a_frame = frame_at(true, 1000, 5000);
  auto a = p.packetize(a_frame, sync_of(a_frame));
  const auto b_frame = frame_at(false, 1000 + 3'600'000, 5033);
  auto b = p.packetize(b_frame, sync_of(b_frame) + int64_t{3'600'000} * 1'000'000);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->rtp_timestamp - a->rtp_timestamp, 3000u);  // 33 ms, floored at one frame
}

TEST(VideoTrackPacketizer, VeryLongGapIsCappedInsideTheForwardHalfOfRtpTime) {
  VideoTrackPacketizer p(1, 0, 0);
  const auto a_frame = frame_at(true, 1000, 5000);
  auto a = p.packetize(a_frame, sync_of(a_frame));
  p.mark_discontinuity();
  const auto b_frame = frame_at(true, 0, 5000 + int64_t{10} * 3600 * 1000);  // 10 h later
  auto b = p.packetize(b_frame, sync_of(b_frame));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->rtp_timestamp - a->rtp_timestamp, 3600u * 90000);
  EXPECT_LT(b->rtp_timestamp - a->rtp_timestamp, 1u << 31);
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

namespace {

// A VP8 frame of the VP8 rendition (RFC 6386 9.1: frame tag, a key frame's start code).
media::Frame vp8_frame(bool key, int64_t pts_ms, size_t size) {
  media::Frame f;
  f.kind = media::TrackKind::Video;
  f.codec = media::Codec::VP8;
  f.keyframe = key;
  f.dts_ms = pts_ms;
  f.arrival_ns = pts_ms * 1'000'000;
  auto cfg = std::make_shared<media::VideoConfig>();
  cfg->codec = media::Codec::VP8;
  cfg->width = 1280;
  cfg->height = 720;
  f.video = cfg;
  f.data.resize(size);
  for (size_t i = 0; i < size; ++i)
    f.data[i] = static_cast<uint8_t>(i * 11);
  f.data[0] = key ? 0x10 : 0x11;
  if (key) {
    f.data[3] = 0x9d;
    f.data[4] = 0x01;
    f.data[5] = 0x2a;
  }
  return f;
}

}  // namespace

using webrtc::rtp::Vp8PayloadDescriptor;

TEST(VideoTrackPacketizer, Vp8FrameBecomesRfc7741PacketsWithOnePictureId) {
  VideoTrackPacketizer p(0x1234, 100, 5000, 0x7FFF);
  const media::Frame key = vp8_frame(true, 0, 3000);
  auto out = p.packetize(key);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->keyframe);
  ASSERT_EQ(out->count(), 3u);  // ceil(3000 / 1196)
  std::vector<uint8_t> frame;
  for (size_t i = 0; i < out->count(); ++i) {
    SCOPED_TRACE(i);
    auto v = RtpPacketView::parse(out->packet(i));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->sequence_number(), 100 + i);
    EXPECT_EQ(v->ssrc(), 0x1234u);
    EXPECT_EQ(v->timestamp(), 5000u);
    EXPECT_EQ(v->marker(), i + 1 == out->count());
    EXPECT_LE(v->payload().size(), 1200u);
    auto d = Vp8PayloadDescriptor::parse(v->payload());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->start, i == 0);
    EXPECT_EQ(d->partition_id, 0);
    EXPECT_EQ(d->picture_id, 0x7FFF);
    frame.insert(frame.end(), v->payload().begin() + d->size(), v->payload().end());
  }
  EXPECT_EQ(frame, key.data);
}

TEST(VideoTrackPacketizer, Vp8WaitsForKeyFrameAndPictureIdsFollowTheFramesSent) {
  VideoTrackPacketizer p(1, 0, 0, 10);
  auto picture_id = [](const webrtc::PacketizedFramePtr& f) {
    return Vp8PayloadDescriptor::parse(RtpPacketView::parse(f->packet(0))->payload())->picture_id;
  };
  EXPECT_FALSE(p.packetize(vp8_frame(false, 0, 100)));  // before any key frame: dropped
  auto k = p.packetize(vp8_frame(true, 1000, 100));
  auto d = p.packetize(vp8_frame(false, 1033, 100));
  ASSERT_TRUE(k && d);
  EXPECT_FALSE(d->keyframe);
  EXPECT_EQ(picture_id(k), 10);
  EXPECT_EQ(picture_id(d), 11);
  EXPECT_EQ(d->rtp_timestamp - k->rtp_timestamp, 33u * 90);
  EXPECT_EQ(d->first_seq, static_cast<uint16_t>(k->first_seq + k->count()));
  // A publisher restart: the rendition's next frames wait for its key frame, and the IDs of
  // what is sent stay consecutive, as browsers reference the previous PictureID.
  p.mark_discontinuity();
  EXPECT_FALSE(p.packetize(vp8_frame(false, 0, 100)));
  auto k2 = p.packetize(vp8_frame(true, 33, 100));
  ASSERT_TRUE(k2);
  EXPECT_TRUE(k2->discontinuity);
  EXPECT_EQ(picture_id(k2), 12);
  EXPECT_EQ(k2->first_seq, static_cast<uint16_t>(d->first_seq + d->count()));
}

TEST(VideoTrackPacketizer, RejectsMalformedVp8) {
  VideoTrackPacketizer p(1, 0, 0);
  media::Frame no_start_code = vp8_frame(true, 0, 100);
  no_start_code.data[3] = 0;
  media::Frame tiny = vp8_frame(false, 0, 100);
  tiny.data.resize(2);
  media::Frame no_config = vp8_frame(true, 0, 100);
  no_config.video = nullptr;
  EXPECT_FALSE(p.packetize(no_start_code));
  EXPECT_FALSE(p.packetize(no_config));
  ASSERT_TRUE(p.packetize(vp8_frame(true, 0, 100)));
  EXPECT_FALSE(p.packetize(tiny));
  EXPECT_EQ(p.rejected(), 3u);
  EXPECT_EQ(p.frames(), 1u);
}
