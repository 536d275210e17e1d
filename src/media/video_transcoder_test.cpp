#include "media/video_transcoder.hpp"

#include <gtest/gtest.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/avc_config.hpp"
#include "media/flv_fixture_test_support.hpp"

namespace media {
namespace {

using test::FlvVideo;
using test::read_flv;
using test::shifted;
uint32_t be(const std::vector<uint8_t>& b, size_t pos, size_t n) {
  return test::flv_be(b, pos, n);
}

void append(std::vector<FramePtr>& out, std::span<const FramePtr> got) {
  out.insert(out.end(), got.begin(), got.end());
}

std::vector<FramePtr> transcode(VideoTranscoder& t, const std::vector<Frame>& frames) {
  std::vector<FramePtr> out;
  for (const Frame& f : frames)
    append(out, t.push(f));
  append(out, t.flush());
  return out;
}

struct Decoded {
  int width = 0;
  int height = 0;
  AVPictureType type = AV_PICTURE_TYPE_NONE;
  int64_t pts = 0;
  bool key = false;
};

// Decodes our output the way a player would: FFmpeg's H.264 decoder opened with the avcC of
// the output config (or its VP8 decoder, which needs none), failing on any damaged slice
// instead of concealing it.
struct Checker {
  explicit Checker(const VideoConfig& config) {
    const bool vp8 = config.codec == Codec::VP8;
    const AVCodec* codec = avcodec_find_decoder_by_name(vp8 ? "vp8" : "h264");
    ctx = avcodec_alloc_context3(codec);
    if (!vp8) {
      const std::vector<uint8_t> record = make_avc_record(config);
      ctx->extradata =
          static_cast<uint8_t*>(av_mallocz(record.size() + AV_INPUT_BUFFER_PADDING_SIZE));
      std::memcpy(ctx->extradata, record.data(), record.size());
      ctx->extradata_size = static_cast<int>(record.size());
    }
    ctx->err_recognition |= AV_EF_EXPLODE;
    ctx->thread_count = 1;
    EXPECT_EQ(avcodec_open2(ctx, codec, nullptr), 0);
  }
  ~Checker() {
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
  }
  void decode(const Frame& f) {
    std::vector<uint8_t> buf = f.data;
    buf.resize(f.data.size() + AV_INPUT_BUFFER_PADDING_SIZE, 0);
    pkt->data = buf.data();
    pkt->size = static_cast<int>(f.data.size());
    pkt->pts = f.pts_ms();
    EXPECT_EQ(avcodec_send_packet(ctx, pkt), 0) << "pts " << f.pts_ms();
    receive();
  }
  void finish() {
    EXPECT_EQ(avcodec_send_packet(ctx, nullptr), 0);
    receive();
  }
  void receive() {
    while (avcodec_receive_frame(ctx, frame) == 0) {
      EXPECT_EQ(frame->decode_error_flags, 0);
      pictures.push_back(
          {frame->width, frame->height, frame->pict_type, frame->pts, frame->key_frame != 0});
      av_frame_unref(frame);
    }
  }
  AVCodecContext* ctx = nullptr;
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  std::vector<Decoded> pictures;
};

std::vector<Decoded> decode_all(const std::vector<FramePtr>& frames) {
  if (frames.empty() || !frames.front()->video) return {};
  Checker c(*frames.front()->video);
  for (const FramePtr& f : frames)
    c.decode(*f);
  c.finish();
  return c.pictures;
}

std::vector<size_t> keyframe_indexes(const std::vector<FramePtr>& frames) {
  std::vector<size_t> out;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (frames[i]->keyframe) out.push_back(i);
  }
  return out;
}

bool has_nal_type(const Frame& f, uint8_t type) {
  for (size_t pos = 0; pos + 4 < f.data.size();) {
    const size_t len = be(f.data, pos, 4);
    if ((f.data[pos + 4] & 0x1f) == type) return true;
    pos += 4 + len;
  }
  return false;
}

class VideoTranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src = read_flv("h264_high_bf3_320x240.flv");
    ASSERT_TRUE(src.config);
    ASSERT_EQ(src.frames.size(), 60u);
    // The fixture is what breaks browsers today: High profile with B-frames (pts != dts).
    ASSERT_EQ(src.config->profile_idc, 100);
    ASSERT_TRUE(std::any_of(src.frames.begin(), src.frames.end(),
                            [](const Frame& f) { return f.cts_ms != 0; }));
  }
  std::set<int64_t> source_pts(const std::vector<Frame>& frames) const {
    std::set<int64_t> out;
    for (const Frame& f : frames)
      out.insert(f.pts_ms());
    return out;
  }
  FlvVideo src;
};

TEST(VideoTranscoderSize, KeepsAspectNeverUpscalesEven) {
  using P = std::pair<uint32_t, uint32_t>;
  EXPECT_EQ(VideoTranscoder::output_size(320, 240, 160, 120), (P{160, 120}));
  EXPECT_EQ(VideoTranscoder::output_size(320, 240, 640, 480), (P{320, 240}));
  EXPECT_EQ(VideoTranscoder::output_size(320, 240, 0, 0), (P{320, 240}));
  EXPECT_EQ(VideoTranscoder::output_size(1920, 1080, 854, 480), (P{854, 480}));
  EXPECT_EQ(VideoTranscoder::output_size(1920, 1080, 0, 720), (P{1280, 720}));
  EXPECT_EQ(VideoTranscoder::output_size(1080, 1920, 1280, 720), (P{406, 720}));
  EXPECT_EQ(VideoTranscoder::output_size(321, 241, 0, 0), (P{320, 240}));
  EXPECT_EQ(VideoTranscoder::output_size(1920, 1080, 3, 3), (P{2, 2}));
  EXPECT_EQ(VideoTranscoder::output_size(0, 1080, 0, 0), (P{0, 0}));
}

TEST(VideoTranscoderConfigCheck, RejectsOutOfRange) {
  EXPECT_THROW(VideoTranscoder({.bitrate = 0}), std::invalid_argument);
  EXPECT_THROW(VideoTranscoder({.gop_seconds = 0}), std::invalid_argument);
  EXPECT_THROW(VideoTranscoder({.max_width = 100000}), std::invalid_argument);
  EXPECT_THROW(VideoTranscoder({.threads = 0}), std::invalid_argument);
  EXPECT_THROW(VideoTranscoder({.preset = "no-such-preset"}), std::invalid_argument);
  EXPECT_NO_THROW(VideoTranscoder(VideoTranscoderConfig{}));
}

TEST_F(VideoTranscoderTest, BFrameSourceBecomesDecodableStreamWithoutBFrames) {
  VideoTranscoder t({.max_width = 160, .max_height = 120, .bitrate = 200'000});
  const auto out = transcode(t, src.frames);
  ASSERT_EQ(out.size(), 60u);
  const auto& cfg = out.front()->video;
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->width, 160u);
  EXPECT_EQ(cfg->height, 120u);
  EXPECT_EQ(cfg->profile_idc, 66);             // constrained baseline:
  EXPECT_NE(cfg->constraint_flags & 0x40, 0);  // constraint_set1_flag
  EXPECT_DOUBLE_EQ(cfg->fps, 30);
  std::set<int64_t> pts;
  int64_t last = -1;
  for (const FramePtr& f : out) {
    EXPECT_EQ(f->video, cfg);
    EXPECT_EQ(f->cts_ms, 0);  // dts == pts
    EXPECT_GT(f->pts_ms(), last);
    last = f->pts_ms();
    pts.insert(f->pts_ms());
    EXPECT_EQ(f->arrival_ns, f->pts_ms() * 1'000'000 + 7);  // the source frame's arrival
    EXPECT_FALSE(has_nal_type(*f, 7));                      // parameter sets travel in the config
    EXPECT_EQ(f->keyframe, has_nal_type(*f, 5));
  }
  EXPECT_EQ(pts, source_pts(src.frames));
  EXPECT_EQ(keyframe_indexes(out), (std::vector<size_t>{0, 30}));  // GOP 1 s at 30 fps
  const auto pictures = decode_all(out);
  ASSERT_EQ(pictures.size(), 60u);
  for (const Decoded& d : pictures) {
    EXPECT_EQ(d.width, 160);
    EXPECT_EQ(d.height, 120);
    EXPECT_NE(d.type, AV_PICTURE_TYPE_B);
  }
  const auto& s = t.status();
  EXPECT_EQ(s.frames_in, 60u);
  EXPECT_EQ(s.frames_out, 60u);
  EXPECT_EQ(s.keyframes_out, 2u);
  EXPECT_EQ(s.input_width, 320u);
  EXPECT_EQ(s.output_width, 160u);
  EXPECT_EQ(s.decode_errors + s.encode_errors + s.malformed + s.skipped, 0u);
}

TEST_F(VideoTranscoderTest, BiggerRequestKeepsSourceSizeMainProfileAndGop) {
  VideoTranscoder t({.max_width = 640,
                     .max_height = 480,
                     .gop_seconds = 0.5,
                     .profile = H264OutputProfile::Main});
  const auto out = transcode(t, src.frames);
  ASSERT_EQ(out.size(), 60u);
  EXPECT_EQ(out.front()->video->width, 320u);
  EXPECT_EQ(out.front()->video->height, 240u);
  EXPECT_EQ(out.front()->video->profile_idc, 77);
  EXPECT_EQ(keyframe_indexes(out), (std::vector<size_t>{0, 15, 30, 45}));
  const auto pictures = decode_all(out);
  ASSERT_EQ(pictures.size(), 60u);
  EXPECT_EQ(pictures.back().width, 320);
}

TEST_F(VideoTranscoderTest, RequestedKeyframeIsTheNextOutputFrame) {
  VideoTranscoder t({.max_width = 160, .gop_seconds = 10});
  std::vector<FramePtr> out;
  bool requested = false;
  size_t requested_at = 0;
  for (const Frame& f : src.frames) {
    append(out, t.push(f));
    if (!requested && out.size() >= 10) {
      t.request_keyframe();
      requested = true;
      requested_at = out.size();
    }
  }
  append(out, t.flush());
  ASSERT_TRUE(requested);
  ASSERT_EQ(out.size(), 60u);
  EXPECT_EQ(keyframe_indexes(out), (std::vector<size_t>{0, requested_at}));
  EXPECT_TRUE(has_nal_type(*out[requested_at], 5));  // an IDR, not just an I-slice
  EXPECT_EQ(t.status().keyframe_requests, 1u);
  EXPECT_EQ(decode_all(out).size(), 60u);
}

// Pass 1 is damaged at decode index 40 (after its keyframe 30), pass 2 is the clean stream
// 2 s later: the damaged frame and everything after it in pass 1 is gone, pass 2 is complete.
void expect_recovery(const std::vector<Frame>& pass1, size_t damaged,
                     const std::vector<FramePtr>& out, const std::vector<Frame>& pass2) {
  std::set<int64_t> got;
  for (const FramePtr& f : out)
    got.insert(f->pts_ms());
  for (size_t i = damaged + 1; i < pass1.size(); ++i) {
    EXPECT_EQ(got.count(pass1[i].pts_ms()), 0u) << "decode index " << i;
  }
  for (const Frame& f : pass2)
    EXPECT_EQ(got.count(f.pts_ms()), 1u) << "pts " << f.pts_ms();
  int64_t last = -1;
  for (const FramePtr& f : out) {
    EXPECT_GT(f->pts_ms(), last);
    last = f->pts_ms();
  }
  EXPECT_EQ(decode_all(out).size(), out.size());
}

TEST_F(VideoTranscoderTest, MalformedAvccIsCountedAndNextKeyframeRecovers) {
  constexpr size_t Damaged = 40;
  ASSERT_FALSE(src.frames[Damaged].keyframe);
  std::vector<Frame> input(src.frames.begin(), src.frames.begin() + Damaged);
  Frame garbage = src.frames[Damaged];
  std::mt19937 rng(17);
  garbage.data.resize(300);
  for (uint8_t& b : garbage.data)
    b = static_cast<uint8_t>(rng());
  input.push_back(garbage);
  Frame truncated = src.frames[Damaged + 1];  // the length prefix promises more than there is
  truncated.data.resize(truncated.data.size() / 2);
  input.push_back(truncated);
  input.insert(input.end(), src.frames.begin() + Damaged + 2, src.frames.end());
  const auto pass2 = shifted(src.frames, 2000);
  input.insert(input.end(), pass2.begin(), pass2.end());

  VideoTranscoder t({.max_width = 160});
  const auto out = transcode(t, input);
  const auto& s = t.status();
  EXPECT_EQ(s.malformed, 2u);
  EXPECT_EQ(s.skipped, src.frames.size() - Damaged - 2);  // the rest of pass 1, all non-key
  EXPECT_EQ(s.decode_errors, 0u);
  expect_recovery(src.frames, Damaged, out, pass2);
}

TEST_F(VideoTranscoderTest, DecoderErrorIsCountedAndNextKeyframeRecovers) {
  constexpr size_t Damaged = 40;
  std::vector<Frame> input = src.frames;
  // A slice cut short with its length prefix fixed: well-formed AVCC, broken slice data.
  Frame& cut = input[Damaged];
  ASSERT_GT(cut.data.size(), 40u);
  cut.data.resize(16);
  cut.data[0] = cut.data[1] = cut.data[2] = 0;
  cut.data[3] = 12;
  const auto pass2 = shifted(src.frames, 2000);
  input.insert(input.end(), pass2.begin(), pass2.end());

  VideoTranscoder t({.max_width = 160});
  const auto out = transcode(t, input);
  const auto& s = t.status();
  EXPECT_EQ(s.malformed, 0u);
  EXPECT_GE(s.decode_errors, 1u);
  EXPECT_EQ(s.skipped, src.frames.size() - Damaged - 1);
  expect_recovery(src.frames, Damaged, out, pass2);
}

TEST_F(VideoTranscoderTest, RejectsWhatIsNotH264) {
  VideoTranscoder t;
  Frame no_config = src.frames[0];
  no_config.video = nullptr;
  Frame empty = src.frames[0];
  empty.data.clear();
  Frame audio = src.frames[0];
  audio.kind = TrackKind::Audio;
  Frame zero_length = src.frames[0];
  std::memset(zero_length.data.data(), 0, 4);
  for (const Frame* f : {&no_config, &empty, &audio, &zero_length}) {
    EXPECT_TRUE(t.push(*f).empty());
  }
  EXPECT_EQ(t.status().malformed, 4u);
  EXPECT_EQ(t.status().frames_out, 0u);
}

TEST_F(VideoTranscoderTest, SizeChangeReopensEncoderWithNewConfig) {
  const FlvVideo small = read_flv("h264_main_176x144.flv");
  ASSERT_TRUE(small.config);
  ASSERT_EQ(small.frames.size(), 15u);
  std::vector<Frame> input = src.frames;
  // The same header sent again (a new object, same bytes) changes nothing.
  auto again = std::make_shared<const VideoConfig>(*src.config);
  for (Frame& f : input) {
    if (&f - input.data() >= 30) f.video = again;
  }
  const auto second = shifted(small.frames, 2000);
  input.insert(input.end(), second.begin(), second.end());

  VideoTranscoder t;
  const auto out = transcode(t, input);
  ASSERT_EQ(out.size(), 75u);
  const std::vector<FramePtr> big(out.begin(), out.begin() + 60);
  const std::vector<FramePtr> little(out.begin() + 60, out.end());
  for (const FramePtr& f : big)
    EXPECT_EQ(f->video, big.front()->video);
  for (const FramePtr& f : little)
    EXPECT_EQ(f->video, little.front()->video);
  EXPECT_NE(big.front()->video, little.front()->video);
  EXPECT_EQ(big.front()->video->width, 320u);
  EXPECT_EQ(little.front()->video->width, 176u);
  EXPECT_EQ(little.front()->video->height, 144u);
  EXPECT_TRUE(little.front()->keyframe);
  EXPECT_EQ(decode_all(big).size(), 60u);
  const auto pictures = decode_all(little);
  ASSERT_EQ(pictures.size(), 15u);
  EXPECT_EQ(pictures.front().width, 176);
  const auto& s = t.status();
  EXPECT_EQ(s.config_changes, 1u);
  EXPECT_EQ(s.size_changes, 1u);
  EXPECT_EQ(s.encoder_opens, 2u);
  EXPECT_EQ(s.decode_errors + s.encode_errors + s.malformed + s.skipped, 0u);
}

// A rendition catching up decodes the backlog without encoding it: the first encoded picture is
// an IDR of the newest frame, and every later one follows on and decodes.
TEST_F(VideoTranscoderTest, DecodeOnlyCatchUpThenEncodesFromTheNewestPicture) {
  VideoTranscoder t({.max_width = 160, .gop_seconds = 10});
  std::vector<FramePtr> out;
  for (size_t i = 0; i < 20; ++i)
    append(out, t.push(src.frames[i], /*encode=*/false));
  EXPECT_TRUE(out.empty());
  for (size_t i = 20; i < src.frames.size(); ++i)
    append(out, t.push(src.frames[i]));
  append(out, t.flush());
  ASSERT_FALSE(out.empty());
  EXPECT_TRUE(out.front()->keyframe);
  EXPECT_GE(t.status().decoded_only, 17u);  // B-frame reordering holds a few back
  EXPECT_LE(out.size(), src.frames.size() - 17);
  EXPECT_EQ(decode_all(out).size(), out.size());
}

// VP8 for browsers without H.264: every output frame is one libvpx frame of the bounded size,
// shown, keyframes every GOP and exactly where the bitstream says so.
TEST_F(VideoTranscoderTest, Vp8OutputDecodesWithGopKeyframesAndSourceTimes) {
  VideoTranscoder t(
      {.max_width = 160, .max_height = 120, .bitrate = 200'000, .output_codec = Codec::VP8});
  const auto out = transcode(t, src.frames);
  ASSERT_EQ(out.size(), 60u);
  const auto& cfg = out.front()->video;
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->codec, Codec::VP8);
  EXPECT_STREQ(codec_name(cfg->codec), "VP8");
  EXPECT_EQ(cfg->width, 160u);
  EXPECT_EQ(cfg->height, 120u);
  EXPECT_DOUBLE_EQ(cfg->fps, 30);
  EXPECT_TRUE(cfg->record.empty() && cfg->sps.empty() && cfg->pps.empty());
  std::set<int64_t> pts;
  int64_t last = -1;
  size_t bytes = 0;
  for (const FramePtr& f : out) {
    EXPECT_EQ(f->kind, TrackKind::Video);
    EXPECT_EQ(f->codec, Codec::VP8);
    EXPECT_EQ(f->video, cfg);
    EXPECT_EQ(f->cts_ms, 0);
    EXPECT_GT(f->pts_ms(), last);
    last = f->pts_ms();
    pts.insert(f->pts_ms());
    EXPECT_EQ(f->arrival_ns, f->pts_ms() * 1'000'000 + 7);
    ASSERT_GE(f->data.size(), 3u);
    EXPECT_EQ(f->keyframe, (f->data[0] & 0x01) == 0);  // RFC 6386 9.1 frame tag
    if (f->keyframe) {  // start code 9d 01 2a, then the size (RFC 6386 9.1)
      ASSERT_GE(f->data.size(), 10u);
      EXPECT_EQ(f->data[3], 0x9d);
      EXPECT_EQ(f->data[4], 0x01);
      EXPECT_EQ(f->data[5], 0x2a);
      EXPECT_EQ(f->data[6] | ((f->data[7] & 0x3f) << 8), 160);
      EXPECT_EQ(f->data[8] | ((f->data[9] & 0x3f) << 8), 120);
    }
    bytes += f->data.size();
  }
  EXPECT_EQ(pts, source_pts(src.frames));
  EXPECT_EQ(keyframe_indexes(out), (std::vector<size_t>{0, 30}));
  // Constant bit rate: 2 s at 200 kbit/s, what the buffer lets through around it.
  EXPECT_LT(bytes * 8, 2 * 200'000 * 3 / 2);
  EXPECT_GT(bytes * 8, 2 * 200'000 / 4);
  const auto pictures = decode_all(out);
  ASSERT_EQ(pictures.size(), 60u);
  for (size_t i = 0; i < pictures.size(); ++i) {
    EXPECT_EQ(pictures[i].width, 160);
    EXPECT_EQ(pictures[i].height, 120);
    EXPECT_EQ(pictures[i].key, out[i]->keyframe) << i;
  }
  const auto& s = t.status();
  EXPECT_EQ(s.frames_out, 60u);
  EXPECT_EQ(s.keyframes_out, 2u);
  EXPECT_EQ(s.decode_errors + s.encode_errors + s.malformed + s.skipped, 0u);
}

// The first keyframe gets its share of the rate like later ones (libvpx's rate control must
// not take the first frame's duration for the frame interval).
TEST_F(VideoTranscoderTest, Vp8FirstKeyframeIsNotStarved) {
  VideoTranscoder t({.bitrate = 500'000, .output_codec = Codec::VP8});
  const auto out = transcode(t, src.frames);
  ASSERT_EQ(keyframe_indexes(out), (std::vector<size_t>{0, 30}));
  EXPECT_GT(out[0]->data.size() * 2, out[30]->data.size())
      << out[0]->data.size() << " vs " << out[30]->data.size();
}

TEST_F(VideoTranscoderTest, Vp8RequestedKeyframeIsTheNextOutputFrame) {
  VideoTranscoder t({.max_width = 160, .gop_seconds = 10, .output_codec = Codec::VP8});
  std::vector<FramePtr> out;
  size_t requested_at = 0;
  for (const Frame& f : src.frames) {
    append(out, t.push(f));
    if (requested_at == 0 && out.size() >= 10) {
      t.request_keyframe();
      requested_at = out.size();
    }
  }
  append(out, t.flush());
  ASSERT_EQ(out.size(), 60u);
  EXPECT_EQ(keyframe_indexes(out), (std::vector<size_t>{0, requested_at}));
  EXPECT_EQ(out[requested_at]->data[0] & 0x01, 0);  // a key frame in the bitstream too
  const auto pictures = decode_all(out);
  ASSERT_EQ(pictures.size(), 60u);
  EXPECT_TRUE(pictures[requested_at].key);
}

// Bad input behaves as for H.264 (the decoding side is shared): counted, skipped to the next
// keyframe, and what comes out still decodes.
TEST_F(VideoTranscoderTest, Vp8DecoderErrorIsCountedAndNextKeyframeRecovers) {
  constexpr size_t Damaged = 40;
  std::vector<Frame> input = src.frames;
  Frame& cut = input[Damaged];
  cut.data.resize(16);
  cut.data[0] = cut.data[1] = cut.data[2] = 0;
  cut.data[3] = 12;
  Frame garbage = src.frames[Damaged + 1];
  garbage.data.assign(50, 0xff);
  input[Damaged + 1] = garbage;
  const auto pass2 = shifted(src.frames, 2000);
  input.insert(input.end(), pass2.begin(), pass2.end());

  VideoTranscoder t({.max_width = 160, .output_codec = Codec::VP8});
  const auto out = transcode(t, input);
  const auto& s = t.status();
  EXPECT_EQ(s.malformed, 1u);
  EXPECT_GE(s.decode_errors, 1u);
  EXPECT_EQ(s.skipped, src.frames.size() - Damaged - 2);
  expect_recovery(src.frames, Damaged, out, pass2);
}

TEST_F(VideoTranscoderTest, Vp8SizeChangeStartsWithAKeyframeOfTheNewSize) {
  const FlvVideo small = read_flv("h264_main_176x144.flv");
  ASSERT_EQ(small.frames.size(), 15u);
  std::vector<Frame> input = src.frames;
  const auto second = shifted(small.frames, 2000);
  input.insert(input.end(), second.begin(), second.end());

  VideoTranscoder t({.output_codec = Codec::VP8});
  const auto out = transcode(t, input);
  ASSERT_EQ(out.size(), 75u);
  EXPECT_EQ(out[59]->video->width, 320u);
  EXPECT_NE(out[60]->video, out[59]->video);
  EXPECT_EQ(out[60]->video->codec, Codec::VP8);
  EXPECT_EQ(out[60]->video->width, 176u);
  EXPECT_EQ(out[60]->video->height, 144u);
  EXPECT_TRUE(out[60]->keyframe);
  // One decoder across the change, as a browser keeps one: VP8 key frames carry their size.
  const auto pictures = decode_all(out);
  ASSERT_EQ(pictures.size(), 75u);
  EXPECT_EQ(pictures[59].width, 320);
  EXPECT_EQ(pictures[60].width, 176);
  EXPECT_EQ(t.status().encoder_opens, 2u);
}

TEST(VideoTranscoderConfigCheck, Vp8OptionsInRange) {
  EXPECT_THROW(VideoTranscoder({.output_codec = Codec::AAC}), std::invalid_argument);
  EXPECT_THROW(VideoTranscoder({.output_codec = Codec::VP8, .vp8_speed = 3}),
               std::invalid_argument);
  EXPECT_THROW(VideoTranscoder({.output_codec = Codec::VP8, .vp8_speed = 17}),
               std::invalid_argument);
  EXPECT_NO_THROW(VideoTranscoder({.output_codec = Codec::VP8}));
}

}  // namespace
}  // namespace media
