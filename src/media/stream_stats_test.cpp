#include "media/stream_stats.hpp"

#include <gtest/gtest.h>

namespace media {
namespace {

TEST(StreamStats, MeasuresOnPublisherTimeline) {
  auto vc = std::make_shared<VideoConfig>();
  vc->width = 1920;
  vc->height = 1080;
  vc->profile_idc = 100;
  vc->level_idc = 40;
  auto ac = std::make_shared<AudioConfig>();
  ac->sample_rate = 32000;
  ac->channels = 2;
  StreamStats stats;
  stats.start("10.0.0.5:50000", 1700000000000);
  // 4 s of 30 fps video, 4000 bytes a frame (960 kbit/s), a keyframe every 2 s, one B-frame;
  // AAC every 32 ms, 256 bytes (64 kbit/s).
  int64_t audio_dts = 0;
  for (int i = 0; i < 120; ++i) {
    Frame v;
    v.kind = TrackKind::Video;
    v.codec = Codec::H264;
    v.video = vc;
    v.dts_ms = i * 1000 / 30;
    v.keyframe = i % 60 == 0;
    v.cts_ms = i == 50 ? 66 : 0;
    v.data.resize(4000);
    stats.on_frame(v);
    while (audio_dts <= v.dts_ms) {
      Frame a;
      a.kind = TrackKind::Audio;
      a.codec = Codec::AAC;
      a.audio = ac;
      a.dts_ms = audio_dts;
      a.data.resize(256);
      stats.on_frame(a);
      audio_dts += 32;
    }
  }
  const StreamStatus s = stats.snapshot();
  EXPECT_TRUE(s.active);
  EXPECT_EQ(s.publisher_address, "10.0.0.5:50000");
  EXPECT_EQ(s.publish_start_ms, 1700000000000);
  EXPECT_EQ(s.video_codec, "H264");
  EXPECT_EQ(s.video_profile, "High");
  EXPECT_EQ(s.level_idc, 40u);
  EXPECT_EQ(s.width, 1920u);
  EXPECT_EQ(s.height, 1080u);
  EXPECT_NEAR(s.fps, 30.0, 0.6);
  EXPECT_NEAR(s.video_kbps, 960, 20);
  EXPECT_NEAR(s.audio_kbps, 64, 3);
  EXPECT_EQ(s.bitrate_kbps, s.video_kbps + s.audio_kbps);
  EXPECT_EQ(s.keyframe_interval_ms, 2000);
  EXPECT_TRUE(s.bframes);
  EXPECT_EQ(s.audio_codec, "AAC");
  EXPECT_EQ(s.sample_rate, 32000u);
  EXPECT_EQ(s.channels, 2u);
  EXPECT_GT(s.frames_in, 120u);
  EXPECT_EQ(s.bytes_in, 120u * 4000 + (s.frames_in - 120) * 256);
}

TEST(StreamStats, NoBframesAndRestart) {
  StreamStats stats;
  stats.start("a", 1);
  Frame v;
  v.kind = TrackKind::Video;
  v.codec = Codec::H264;
  v.keyframe = true;
  v.data.resize(10);
  stats.on_frame(v);
  EXPECT_FALSE(stats.snapshot().bframes);
  EXPECT_EQ(stats.snapshot().keyframe_interval_ms, 0);  // needs two keyframes
  EXPECT_EQ(stats.snapshot().fps, 0);
  stats.stop();
  EXPECT_FALSE(stats.snapshot().active);
  EXPECT_EQ(stats.snapshot().frames_in, 1u);
  stats.start("b", 2);
  EXPECT_EQ(stats.snapshot().frames_in, 0u);
  EXPECT_EQ(stats.snapshot().video_codec, "");
}

TEST(StreamStats, HeAacReportsOutputRate) {
  auto ac = std::make_shared<AudioConfig>();
  ac->sample_rate = 24000;
  ac->sbr = true;
  ac->extension_sample_rate = 48000;
  StreamStats stats;
  Frame a;
  a.kind = TrackKind::Audio;
  a.codec = Codec::AAC;
  a.audio = ac;
  stats.on_frame(a);
  EXPECT_EQ(stats.snapshot().sample_rate, 48000u);
}

TEST(StreamStats, WindowIsBoundedUnderFlood) {
  StreamStats stats;
  Frame v;
  v.kind = TrackKind::Video;
  for (int i = 0; i < 100000; ++i)
    stats.on_frame(v);  // same DTS: rate undefined, no growth
  EXPECT_EQ(stats.snapshot().fps, 0);
  EXPECT_EQ(stats.snapshot().frames_in, 100000u);
}

TEST(CodecName, Names) {
  EXPECT_STREQ(codec_name(Codec::H264), "H264");
  EXPECT_STREQ(codec_name(Codec::AAC), "AAC");
  EXPECT_STREQ(codec_name(Codec::Opus), "Opus");
  EXPECT_STREQ(codec_name(Codec::H265), "H265");
  EXPECT_STREQ(codec_name(Codec::Unknown), "unknown");
}

}  // namespace
}  // namespace media
