#include "rtmp/flv_muxer.hpp"

#include <gtest/gtest.h>

#include "media/avc_config.hpp"

namespace rtmp {
namespace {

TEST(FlvMuxer, VideoFrameHeader) {
  media::Frame f;
  f.kind = media::TrackKind::Video;
  f.codec = media::Codec::H264;
  f.keyframe = true;
  f.cts_ms = 0;
  EXPECT_EQ(FlvMuxer::video_frame_header(f), (std::array<uint8_t, 5>{0x17, 0x01, 0, 0, 0}));
  f.keyframe = false;
  f.cts_ms = 66;
  EXPECT_EQ(FlvMuxer::video_frame_header(f), (std::array<uint8_t, 5>{0x27, 0x01, 0, 0, 66}));
  f.cts_ms = -33;
  EXPECT_EQ(FlvMuxer::video_frame_header(f),
            (std::array<uint8_t, 5>{0x27, 0x01, 0xff, 0xff, 0xdf}));
  f.cts_ms = 0x7fffffff;  // clamped to SI24
  EXPECT_EQ(FlvMuxer::video_frame_header(f),
            (std::array<uint8_t, 5>{0x27, 0x01, 0x7f, 0xff, 0xff}));
  EXPECT_TRUE(FlvMuxer::can_mux(f));
  f.codec = media::Codec::H265;
  EXPECT_FALSE(FlvMuxer::can_mux(f));
}

TEST(FlvMuxer, AudioHeaders) {
  media::Frame f;
  f.kind = media::TrackKind::Audio;
  f.codec = media::Codec::AAC;
  EXPECT_EQ(FlvMuxer::audio_frame_header(f), (std::array<uint8_t, 2>{0xaf, 0x01}));
  media::AudioConfig a;
  a.record = {0x12, 0x90};
  EXPECT_EQ(FlvMuxer::audio_sequence_header(a), (std::vector<uint8_t>{0xaf, 0x00, 0x12, 0x90}));
}

TEST(FlvMuxer, VideoSequenceHeaderAnnouncesFourByteLengths) {
  const std::vector<uint8_t> record = {0x01, 0x4d, 0x40, 0x0d, 0xfd, 0xe1, 0x00, 0x18, 0x67, 0x4d,
                                       0x40, 0x0d, 0xec, 0xa0, 0xa0, 0xfd, 0x80, 0x88, 0x00, 0x00,
                                       0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x01, 0xe0, 0x78, 0xa1,
                                       0x4c, 0xb0, 0x01, 0x00, 0x04, 0x68, 0xeb, 0xec, 0xb2};
  const auto parsed = media::AvcConfig::parse(record);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->nalu_length_size, 2);
  const auto body = FlvMuxer::video_sequence_header(parsed->to_video_config(record));
  ASSERT_EQ(body.size(), 5 + record.size());
  EXPECT_EQ(std::vector<uint8_t>(body.begin(), body.begin() + 5),
            (std::vector<uint8_t>{0x17, 0x00, 0x00, 0x00, 0x00}));
  const auto again = media::AvcConfig::parse(std::span<const uint8_t>(body).subspan(5));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->nalu_length_size, 4);
  EXPECT_EQ(again->sps, parsed->sps);
  EXPECT_EQ(again->pps, parsed->pps);
  EXPECT_EQ(FlvMuxer::video_end_of_sequence(), (std::array<uint8_t, 5>{0x17, 0x02, 0, 0, 0}));
}

}  // namespace
}  // namespace rtmp
