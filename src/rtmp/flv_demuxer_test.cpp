#include "rtmp/flv_demuxer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "rtmp/flv_muxer.hpp"

namespace rtmp {
namespace {

struct Tag {
  MessageType type;
  uint32_t timestamp;
  std::vector<uint8_t> body;
};

// tests/data/media/av_320x240.flv: ffmpeg -f lavfi testsrc2 320x240 30 fps + sine, 1 s,
// libx264 main (B-frames) -g 15, AAC-LC 32 kHz stereo 64 kbit/s, -f flv.
// FLV file layout (FLV spec E.2, E.3): 9-byte header, then PreviousTagSize + 11-byte tag headers.
std::vector<Tag> read_flv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> d((std::istreambuf_iterator<char>(in)), {});
  std::vector<Tag> tags;
  size_t p = 9 + 4;
  while (p + 11 <= d.size()) {
    const uint32_t size = uint32_t{d[p + 1]} << 16 | uint32_t{d[p + 2]} << 8 | d[p + 3];
    const uint32_t ts =
        uint32_t{d[p + 7]} << 24 | uint32_t{d[p + 4]} << 16 | uint32_t{d[p + 5]} << 8 | d[p + 6];
    if (p + 11 + size > d.size()) break;
    tags.push_back({static_cast<MessageType>(d[p]), ts,
                    std::vector<uint8_t>(d.begin() + p + 11, d.begin() + p + 11 + size)});
    p += 11 + size + 4;
  }
  return tags;
}

const std::string Fixture = std::string(AIRCLASS_TEST_DATA) + "/media/av_320x240.flv";

// Checks that data is a run of 4-byte-length-prefixed NAL units covering it exactly.
bool is_avcc4(const std::vector<uint8_t>& data) {
  size_t p = 0;
  while (p < data.size()) {
    if (data.size() - p < 4) return false;
    const uint32_t len = uint32_t{data[p]} << 24 | uint32_t{data[p + 1]} << 16 |
                         uint32_t{data[p + 2]} << 8 | data[p + 3];
    if (len == 0 || len > data.size() - p - 4) return false;
    p += 4 + len;
  }
  return !data.empty();
}

const std::vector<uint8_t> Avcc = {0x01, 0x4d, 0x40, 0x0d, 0xff, 0xe1, 0x00, 0x18, 0x67, 0x4d,
                                   0x40, 0x0d, 0xec, 0xa0, 0xa0, 0xfd, 0x80, 0x88, 0x00, 0x00,
                                   0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x01, 0xe0, 0x78, 0xa1,
                                   0x4c, 0xb0, 0x01, 0x00, 0x04, 0x68, 0xeb, 0xec, 0xb2};

std::vector<uint8_t> avc_sequence_header(std::vector<uint8_t> record = Avcc) {
  std::vector<uint8_t> b = {0x17, 0x00, 0x00, 0x00, 0x00};
  b.insert(b.end(), record.begin(), record.end());
  return b;
}

std::vector<uint8_t> avc_frame(bool key, std::vector<uint8_t> nalus, uint32_t cts = 0) {
  std::vector<uint8_t> b = {static_cast<uint8_t>(key ? 0x17 : 0x27), 0x01,
                            static_cast<uint8_t>(cts >> 16), static_cast<uint8_t>(cts >> 8),
                            static_cast<uint8_t>(cts)};
  b.insert(b.end(), nalus.begin(), nalus.end());
  return b;
}

TEST(FlvDemuxer, RealFfmpegPublish) {
  const auto tags = read_flv(Fixture);
  ASSERT_GT(tags.size(), 60u);
  FlvDemuxer demux;
  int video = 0, audio = 0, keys = 0, configs = 0, with_cts = 0;
  int64_t last_video_dts = -1;
  for (const auto& tag : tags) {
    auto r = demux.on_message(tag.type, tag.timestamp, tag.body, 42);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.notice.empty()) << r.notice;
    if (r.config_changed) ++configs;
    if (!r.frame) continue;
    EXPECT_EQ(r.frame->dts_ms, tag.timestamp);
    EXPECT_EQ(r.frame->arrival_ns, 42);
    if (r.frame->kind == media::TrackKind::Video) {
      ++video;
      keys += r.frame->keyframe;
      with_cts += r.frame->cts_ms != 0;
      EXPECT_TRUE(is_avcc4(r.frame->data));
      EXPECT_EQ(r.frame->data.size(), tag.body.size() - 5);
      EXPECT_EQ(r.frame->video, demux.video_config());
      EXPECT_GT(r.frame->dts_ms, last_video_dts);
      last_video_dts = r.frame->dts_ms;
    } else {
      ++audio;
      EXPECT_EQ(r.frame->codec, media::Codec::AAC);
      EXPECT_EQ(r.frame->data.size(), tag.body.size() - 2);
      EXPECT_EQ(r.frame->audio, demux.audio_config());
    }
  }
  EXPECT_EQ(configs, 2);
  EXPECT_EQ(video, 30);
  EXPECT_EQ(keys, 2);      // -g 15 over 30 frames
  EXPECT_GT(with_cts, 0);  // B-frames
  EXPECT_EQ(audio, 33);
  ASSERT_TRUE(demux.video_config());
  EXPECT_EQ(demux.video_config()->width, 320u);
  EXPECT_EQ(demux.video_config()->height, 240u);
  EXPECT_EQ(demux.video_config()->profile_idc, 77);
  ASSERT_TRUE(demux.audio_config());
  EXPECT_EQ(demux.audio_config()->sample_rate, 32000u);
  EXPECT_EQ(demux.audio_config()->channels, 2);
  EXPECT_EQ(demux.audio_config()->object_type, 2);
  ASSERT_TRUE(demux.metadata());
  const std::vector<uint8_t> on_meta = {0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a'};
  EXPECT_TRUE(std::equal(on_meta.begin(), on_meta.end(), demux.metadata()->begin()));
  EXPECT_EQ(demux.dropped_before_config(), 0u);
}

TEST(FlvDemuxer, DemuxMuxDemuxRoundTrip) {
  const auto tags = read_flv(Fixture);
  FlvDemuxer first;
  FlvDemuxer second;
  std::shared_ptr<const media::VideoConfig> sent_video;
  std::shared_ptr<const media::AudioConfig> sent_audio;
  int frames = 0;
  for (const auto& tag : tags) {
    auto r = first.on_message(tag.type, tag.timestamp, tag.body, 0);
    ASSERT_TRUE(r.error.empty());
    if (!r.frame) continue;
    const media::Frame& f = *r.frame;
    std::vector<uint8_t> body;
    MessageType type;
    if (f.kind == media::TrackKind::Video) {
      type = MessageType::Video;
      if (f.video != sent_video) {
        const auto seq = FlvMuxer::video_sequence_header(*f.video);
        auto c = second.on_message(type, tag.timestamp, seq, 0);
        ASSERT_TRUE(c.config_changed);
        sent_video = f.video;
      }
      const auto head = FlvMuxer::video_frame_header(f);
      body.assign(head.begin(), head.end());
    } else {
      type = MessageType::Audio;
      if (f.audio != sent_audio) {
        const auto seq = FlvMuxer::audio_sequence_header(*f.audio);
        auto c = second.on_message(type, tag.timestamp, seq, 0);
        ASSERT_TRUE(c.config_changed);
        sent_audio = f.audio;
      }
      const auto head = FlvMuxer::audio_frame_header(f);
      body.assign(head.begin(), head.end());
    }
    body.insert(body.end(), f.data.begin(), f.data.end());
    EXPECT_EQ(body, tag.body);  // the publisher's own bytes come back out
    auto again = second.on_message(type, tag.timestamp, body, 0);
    ASSERT_TRUE(again.frame);
    EXPECT_EQ(again.frame->data, f.data);
    EXPECT_EQ(again.frame->dts_ms, f.dts_ms);
    EXPECT_EQ(again.frame->cts_ms, f.cts_ms);
    EXPECT_EQ(again.frame->keyframe, f.keyframe);
    EXPECT_EQ(again.frame->kind, f.kind);
    ++frames;
  }
  EXPECT_EQ(frames, 63);
  EXPECT_EQ(second.video_config()->record, first.video_config()->record);
  EXPECT_EQ(second.audio_config()->record, first.audio_config()->record);
}

TEST(FlvDemuxer, FramesBeforeSequenceHeaderAreDropped) {
  FlvDemuxer demux;
  const std::vector<uint8_t> nal = {0, 0, 0, 2, 0x65, 0x88};
  auto r = demux.on_message(MessageType::Video, 0, avc_frame(true, nal), 0);
  EXPECT_FALSE(r.frame);
  EXPECT_TRUE(r.error.empty());
  r = demux.on_message(MessageType::Audio, 0, std::vector<uint8_t>{0xaf, 0x01, 0x21, 0x10}, 0);
  EXPECT_FALSE(r.frame);
  EXPECT_EQ(demux.dropped_before_config(), 2u);
  r = demux.on_message(MessageType::Video, 0, avc_sequence_header(), 0);
  EXPECT_TRUE(r.config_changed);
  EXPECT_EQ(r.codec, media::Codec::H264);
  r = demux.on_message(MessageType::Video, 33, avc_frame(false, nal), 0);
  ASSERT_TRUE(r.frame);
  EXPECT_TRUE(r.frame->keyframe);  // IDR NAL unit even though the tag said inter
}

TEST(FlvDemuxer, SequenceHeaderRepeatAndChange) {
  FlvDemuxer demux;
  ASSERT_TRUE(demux.on_message(MessageType::Video, 0, avc_sequence_header(), 0).config_changed);
  const auto first = demux.video_config();
  auto r = demux.on_message(MessageType::Video, 2000, avc_sequence_header(), 0);
  EXPECT_FALSE(r.config_changed);
  EXPECT_EQ(demux.video_config(), first);
  auto changed = Avcc;
  changed.back() ^= 0x01;  // a different PPS
  r = demux.on_message(MessageType::Video, 4000, avc_sequence_header(changed), 0);
  EXPECT_TRUE(r.config_changed);
  EXPECT_NE(demux.video_config(), first);
  EXPECT_EQ(first->pps[0].back(), 0xb2);  // frames holding the old config keep it intact
}

TEST(FlvDemuxer, ConvertsShortNalLengths) {
  for (uint8_t size = 1; size <= 4; ++size) {
    auto rec = Avcc;
    rec[4] = static_cast<uint8_t>(0xfc | (size - 1));
    FlvDemuxer demux;
    ASSERT_TRUE(
        demux.on_message(MessageType::Video, 0, avc_sequence_header(rec), 0).config_changed);
    EXPECT_EQ(demux.nalu_length_size(), size);
    std::vector<uint8_t> nalus;
    const std::vector<std::vector<uint8_t>> units = {{0x09, 0xf0}, {0x65, 1, 2, 3, 4}, {}, {0x06}};
    for (const auto& u : units) {
      for (int i = size - 1; i >= 0; --i)
        nalus.push_back(static_cast<uint8_t>(u.size() >> (8 * i)));
      nalus.insert(nalus.end(), u.begin(), u.end());
    }
    auto r = demux.on_message(MessageType::Video, 0, avc_frame(true, nalus), 0);
    ASSERT_TRUE(r.frame) << int(size);
    const std::vector<uint8_t> expect = {0,    0, 0, 2, 0x09, 0xf0, 0, 0, 0, 5,
                                         0x65, 1, 2, 3, 4,    0,    0, 0, 1, 0x06};
    EXPECT_EQ(r.frame->data, expect) << int(size);
  }
}

TEST(FlvDemuxer, CompositionTimeIsSigned) {
  FlvDemuxer demux;
  demux.on_message(MessageType::Video, 0, avc_sequence_header(), 0);
  const std::vector<uint8_t> nal = {0, 0, 0, 1, 0x41};
  auto r = demux.on_message(MessageType::Video, 100, avc_frame(false, nal, 0xffffdf), 0);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->cts_ms, -33);
  r = demux.on_message(MessageType::Video, 100, avc_frame(false, nal, 67), 0);
  EXPECT_EQ(r.frame->cts_ms, 67);
  EXPECT_EQ(r.frame->pts_ms(), 167);
}

TEST(FlvDemuxer, MalformedInputIsAnError) {
  FlvDemuxer demux;
  // Sequence header whose SPS length runs past the end.
  auto lying = Avcc;
  lying[7] = 0x40;
  EXPECT_FALSE(
      demux.on_message(MessageType::Video, 0, avc_sequence_header(lying), 0).error.empty());
  EXPECT_FALSE(demux.video_config());
  // Truncated AVC tag header.
  EXPECT_FALSE(demux.on_message(MessageType::Video, 0, std::vector<uint8_t>{0x17, 0x01, 0x00}, 0)
                   .error.empty());
  EXPECT_FALSE(
      demux.on_message(MessageType::Audio, 0, std::vector<uint8_t>{0xaf}, 0).error.empty());
  // NAL unit length past the end.
  ASSERT_TRUE(demux.on_message(MessageType::Video, 0, avc_sequence_header(), 0).error.empty());
  const std::vector<uint8_t> bad = {0, 0, 0, 2, 0x41, 0x00, 0, 0, 0, 9, 0x41};
  auto r = demux.on_message(MessageType::Video, 0, avc_frame(false, bad), 0);
  EXPECT_EQ(r.error, "NAL unit length past the end of the video message");
  EXPECT_FALSE(r.frame);
  const std::vector<uint8_t> partial_length = {0, 0, 0, 1, 0x41, 0, 0};
  EXPECT_FALSE(
      demux.on_message(MessageType::Video, 0, avc_frame(false, partial_length), 0).error.empty());
  // Bad AudioSpecificConfig.
  EXPECT_FALSE(demux.on_message(MessageType::Audio, 0, std::vector<uint8_t>{0xaf, 0x00, 0x06}, 0)
                   .error.empty());
  // Unknown AVC packet type.
  EXPECT_FALSE(demux.on_message(MessageType::Video, 0, std::vector<uint8_t>{0x27, 0x09, 0, 0, 0}, 0)
                   .error.empty());
}

TEST(FlvDemuxer, EmptyAndCommandMessagesAreQuiet) {
  FlvDemuxer demux;
  for (const auto& body : std::vector<std::vector<uint8_t>>{{}, {0x57, 0x00}}) {
    const auto r = demux.on_message(MessageType::Video, 0, body, 0);
    EXPECT_TRUE(r.error.empty());
    EXPECT_TRUE(r.notice.empty());
    EXPECT_FALSE(r.frame);
  }
  demux.on_message(MessageType::Video, 0, avc_sequence_header(), 0);
  EXPECT_FALSE(demux.on_message(MessageType::Video, 0, avc_frame(true, {}), 0).frame);
  EXPECT_TRUE(demux.on_message(MessageType::Video, 0, avc_frame(true, {}), 0).error.empty());
}

TEST(FlvDemuxer, TimestampsExtendAcrossWrap) {
  FlvDemuxer demux;
  EXPECT_EQ(demux.extend_timestamp(0xfffffc00u), 0xfffffc00ll);
  EXPECT_EQ(demux.extend_timestamp(0xfffffff0u), 0xfffffff0ll);
  EXPECT_EQ(demux.extend_timestamp(0x00000010u), 0x100000010ll);
  EXPECT_EQ(demux.extend_timestamp(0xffffffe0u), 0xffffffe0ll);  // late frame from before the wrap
  EXPECT_EQ(demux.extend_timestamp(0x00000020u), 0x100000020ll);
  EXPECT_EQ(demux.extend_timestamp(0x7fff0000u), 0x17fff0000ll);
  EXPECT_EQ(demux.extend_timestamp(0xfff00000u), 0x1fff00000ll);
  EXPECT_EQ(demux.extend_timestamp(0x00000100u), 0x200000100ll);  // second wrap
}

TEST(FlvDemuxer, FrameDtsUsesExtendedTimestamp) {
  FlvDemuxer demux;
  demux.on_message(MessageType::Audio, 0xfffffff0u, std::vector<uint8_t>{0xaf, 0x00, 0x12, 0x90},
                   0);
  auto r = demux.on_message(MessageType::Audio, 5, std::vector<uint8_t>{0xaf, 0x01, 0x21}, 0);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->dts_ms, 0x100000005ll);
}

TEST(FlvDemuxer, EnhancedRtmp) {
  FlvDemuxer demux;
  // ExHeader | FrameType 1 | PacketType SequenceStart, FourCC hvc1: reported once, no frame.
  const std::vector<uint8_t> hevc = {0x90, 'h', 'v', 'c', '1', 0x01, 0x02};
  auto r = demux.on_message(MessageType::Video, 0, hevc, 0);
  EXPECT_EQ(r.codec, media::Codec::H265);
  EXPECT_EQ(r.notice, "ignoring video FourCC 'hvc1': not supported yet");
  EXPECT_TRUE(r.error.empty());
  EXPECT_FALSE(r.config_changed);
  r = demux.on_message(MessageType::Video, 33, hevc, 0);
  EXPECT_TRUE(r.notice.empty());  // once per publish
  EXPECT_EQ(
      demux.on_message(MessageType::Video, 0, std::vector<uint8_t>{0x91, 'a', 'v', '0', '1', 0}, 0)
          .codec,
      media::Codec::AV1);
  EXPECT_EQ(
      demux.on_message(MessageType::Video, 0, std::vector<uint8_t>{0x91, 'v', 'p', '0', '9'}, 0)
          .codec,
      media::Codec::VP9);
  // Audio ExHeader (SoundFormat 9) with Opus: played (passed through), so a sequence start
  // that is not an OpusHead is an error (see EnhancedRtmpOpusIsPassedThrough).
  r = demux.on_message(MessageType::Audio, 0, std::vector<uint8_t>{0x90, 'O', 'p', 'u', 's', 1}, 0);
  EXPECT_EQ(r.codec, media::Codec::Opus);
  EXPECT_FALSE(r.error.empty());
  EXPECT_FALSE(r.frame);
  // Legacy MP3 and an unknown codec id are reported too.
  r = demux.on_message(MessageType::Audio, 0, std::vector<uint8_t>{0x2f, 0xff}, 0);
  EXPECT_EQ(r.codec, media::Codec::MP3);
  EXPECT_FALSE(r.notice.empty());
  EXPECT_FALSE(
      demux.on_message(MessageType::Video, 0, std::vector<uint8_t>{0x12, 0}, 0).notice.empty());
  EXPECT_FALSE(demux.video_config());
  EXPECT_GE(demux.ignored_messages(), 6u);
  // Truncated FourCC.
  EXPECT_FALSE(demux.on_message(MessageType::Video, 0, std::vector<uint8_t>{0x90, 'h', 'v'}, 0)
                   .error.empty());
}

TEST(FlvDemuxer, EnhancedAvc1IsPlayable) {
  FlvDemuxer demux;
  std::vector<uint8_t> seq = {0x90, 'a', 'v', 'c', '1'};
  seq.insert(seq.end(), Avcc.begin(), Avcc.end());
  EXPECT_TRUE(demux.on_message(MessageType::Video, 0, seq, 0).config_changed);
  // CodedFramesX (3): no composition time field.
  const std::vector<uint8_t> frame_x = {0x93, 'a', 'v', 'c', '1', 0, 0, 0, 2, 0x65, 0x88};
  auto r = demux.on_message(MessageType::Video, 40, frame_x, 0);
  ASSERT_TRUE(r.frame);
  EXPECT_TRUE(r.frame->keyframe);
  EXPECT_EQ(r.frame->cts_ms, 0);
  // CodedFrames (1) with SI24 composition time.
  const std::vector<uint8_t> frame = {0xa1, 'a', 'v', 'c', '1', 0, 0, 33, 0, 0, 0, 1, 0x41};
  r = demux.on_message(MessageType::Video, 73, frame, 0);
  ASSERT_TRUE(r.frame);
  EXPECT_FALSE(r.frame->keyframe);
  EXPECT_EQ(r.frame->cts_ms, 33);
}

TEST(FlvDemuxer, SetDataFrameIsStripped) {
  FlvDemuxer demux;
  std::vector<uint8_t> body = {0x02, 0x00, 0x0d};
  const std::string set = "@setDataFrame";
  body.insert(body.end(), set.begin(), set.end());
  const std::vector<uint8_t> meta = {0x02, 0x00, 0x0a, 'o', 'n',  'M',  'e',  't', 'a',
                                     'D',  'a',  't',  'a', 0x03, 0x00, 0x00, 0x09};
  body.insert(body.end(), meta.begin(), meta.end());
  auto r = demux.on_message(MessageType::DataAmf0, 0, body, 0);
  EXPECT_TRUE(r.metadata_changed);
  ASSERT_TRUE(demux.metadata());
  EXPECT_EQ(*demux.metadata(), meta);
  // Other data messages are ignored.
  const std::vector<uint8_t> other = {0x02, 0x00, 0x03, 'f', 'o', 'o', 0x05};
  EXPECT_FALSE(demux.on_message(MessageType::DataAmf0, 0, other, 0).metadata_changed);
  EXPECT_FALSE(demux.on_message(MessageType::DataAmf0, 0, std::vector<uint8_t>{0x02, 0x00}, 0)
                   .metadata_changed);
  EXPECT_EQ(*demux.metadata(), meta);
  std::vector<uint8_t> huge = meta;  // over the bound: kept out, reported
  huge.resize(FlvDemuxer::MaxMetadataSize + 1);
  auto big = demux.on_message(MessageType::DataAmf0, 0, huge, 0);
  EXPECT_FALSE(big.metadata_changed);
  EXPECT_EQ(big.notice, "ignoring onMetaData larger than 65536: not supported yet");
  EXPECT_EQ(*demux.metadata(), meta);
}

TEST(FlvDemuxer, RandomGarbage) {
  const auto tags = read_flv(Fixture);
  std::mt19937 rng(2024);
  const MessageType types[] = {MessageType::Video, MessageType::Audio, MessageType::DataAmf0};
  for (int round = 0; round < 20; ++round) {
    FlvDemuxer demux;
    for (int i = 0; i < 500; ++i) {
      std::vector<uint8_t> body;
      MessageType type = types[rng() % 3];
      if (rng() % 2) {  // a mutated real tag, so that deeper paths are reached
        const auto& tag = tags[rng() % tags.size()];
        type = tag.type;
        body = tag.body;
        for (int k = 0; k < 3 && !body.empty(); ++k) {
          body[rng() % body.size()] = static_cast<uint8_t>(rng());
        }
        body.resize(rng() % (body.size() + 1));
      } else {
        body.resize(rng() % 48);
        for (auto& b : body)
          b = static_cast<uint8_t>(rng());
      }
      const auto r = demux.on_message(type, static_cast<uint32_t>(rng()), body, 0);
      if (r.frame && r.frame->kind == media::TrackKind::Video) {
        EXPECT_TRUE(is_avcc4(r.frame->data));
        EXPECT_TRUE(r.frame->video);
      }
    }
  }
}

}  // namespace
}  // namespace rtmp

TEST(FlvDemuxer, EnhancedRtmpOpusIsPassedThrough) {
  rtmp::FlvDemuxer demux;
  std::vector<uint8_t> head = {0x90, 'O', 'p',  'u', 's',  'O',  'p', 'u', 's', 'H', 'e', 'a', 'd',
                               1,    1,   0x38, 1,   0x80, 0xBB, 0,   0,   0,   0,   0};  // mono
  auto r = demux.on_message(rtmp::MessageType::Audio, 0, head, 1);
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.config_changed);
  ASSERT_TRUE(demux.audio_config());
  EXPECT_EQ(demux.audio_config()->codec, media::Codec::Opus);
  EXPECT_EQ(demux.audio_config()->channels, 1);
  const std::vector<uint8_t> packet = {0x91, 'O', 'p', 'u', 's', 0xFC, 0xFF, 0xFE};
  r = demux.on_message(rtmp::MessageType::Audio, 20, packet, 2);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->codec, media::Codec::Opus);
  EXPECT_EQ(r.frame->data, std::vector<uint8_t>({0xFC, 0xFF, 0xFE}));
  EXPECT_EQ(r.frame->dts_ms, 20);
}

TEST(FlvDemuxer, MalformedOpusIsRefused) {
  rtmp::FlvDemuxer demux;
  const std::vector<uint8_t> bad_head = {0x90, 'O', 'p', 'u', 's', 'O', 'p', 'u', 's', 'X'};
  EXPECT_FALSE(demux.on_message(rtmp::MessageType::Audio, 0, bad_head, 0).error.empty());
  std::vector<uint8_t> huge = {0x91, 'O', 'p', 'u', 's'};
  huge.resize(5000, 0x55);
  EXPECT_FALSE(demux.on_message(rtmp::MessageType::Audio, 0, huge, 0).error.empty());
}
