#include "media/aac_opus_transcoder.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/aac_config.hpp"
#include "media/opus_decoder.hpp"
#include "media/tone_analyzer.hpp"

namespace media {
namespace {

// ffmpeg's lavfi sine source: amplitude 1/8, so RMS 20 log10(0.125 / sqrt 2) = -21.07 dBFS;
// ffmpeg's mono -> stereo upmix puts it at -3 dB in each channel.
constexpr double MonoSineDbfs = -21.07;
constexpr double StereoSineDbfs = -24.08;

struct AdtsStream {
  std::shared_ptr<const AudioConfig> config;
  std::vector<std::vector<uint8_t>> units;  // raw access units
  uint32_t rate = 0;
};

// Test helper: ADTS (ISO/IEC 14496-3 1.A.2) split into raw access units, plus the two-byte
// AudioSpecificConfig its fixed header implies.
AdtsStream read_adts(const std::string& name) {
  std::ifstream in(std::string(AIRCLASS_TEST_DATA) + "/audio/" + name, std::ios::binary);
  const std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  EXPECT_FALSE(b.empty()) << name;
  AdtsStream s;
  size_t pos = 0;
  while (pos + 7 <= b.size()) {
    EXPECT_EQ(b[pos], 0xFF);
    const bool crc = (b[pos + 1] & 0x01) == 0;
    const size_t len = ((b[pos + 3] & 0x03u) << 11) | (b[pos + 4] << 3) | (b[pos + 5] >> 5);
    const size_t header = crc ? 9 : 7;
    if (len < header || pos + len > b.size()) break;
    if (!s.config) {
      const uint8_t profile = b[pos + 2] >> 6;
      const uint8_t sfi = (b[pos + 2] >> 2) & 0x0F;
      const uint8_t ch = static_cast<uint8_t>(((b[pos + 2] & 1) << 2) | (b[pos + 3] >> 6));
      const std::vector<uint8_t> asc = {static_cast<uint8_t>(((profile + 1) << 3) | (sfi >> 1)),
                                        static_cast<uint8_t>(((sfi & 1) << 7) | (ch << 3))};
      const auto parsed = AacConfig::parse(asc);
      EXPECT_TRUE(parsed);
      s.config = std::make_shared<const AudioConfig>(parsed->to_audio_config(asc));
      s.rate = parsed->sample_rate;
    }
    s.units.emplace_back(b.begin() + static_cast<std::ptrdiff_t>(pos + header),
                         b.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  }
  return s;
}

Frame aac_frame(const std::vector<uint8_t>& au, std::shared_ptr<const AudioConfig> config,
                int64_t dts_ms) {
  Frame f;
  f.kind = TrackKind::Audio;
  f.codec = Codec::AAC;
  f.audio = std::move(config);
  f.data = au;
  f.dts_ms = dts_ms;
  f.arrival_ns = dts_ms * 1'000'000 + 7;
  return f;
}

struct Packet {
  std::vector<uint8_t> data;
  int64_t pts = 0;
  int64_t arrival_ns = 0;
  uint8_t channels = 0;
};

void collect(std::span<const OpusPacketView> views, std::vector<Packet>& out) {
  for (const auto& v : views)
    out.push_back({{v.data.begin(), v.data.end()}, v.pts_48k, v.arrival_ns, v.channels});
}

// Feeds a whole stream with RTMP-style millisecond timestamps starting at `start_ms`; returns
// the pts (ms) the next access unit would have.
int64_t feed(AacOpusTranscoder& t, const AdtsStream& s, std::vector<Packet>& out,
             int64_t start_ms = 0, size_t samples_per_unit = 1024) {
  int64_t ms = start_ms;
  for (size_t i = 0; i < s.units.size(); ++i) {
    ms = start_ms + static_cast<int64_t>(i * samples_per_unit * 1000 / s.rate);
    collect(t.push(aac_frame(s.units[i], s.config, ms)), out);
  }
  return start_ms + static_cast<int64_t>(s.units.size() * samples_per_unit * 1000 / s.rate);
}

void expect_continuous(const std::vector<Packet>& packets, int64_t first_pts = 0) {
  ASSERT_FALSE(packets.empty());
  EXPECT_EQ(packets.front().pts, first_pts);
  for (size_t i = 1; i < packets.size(); ++i)
    ASSERT_EQ(packets[i].pts - packets[i - 1].pts, 960) << "packet " << i;
}

// Decodes packets [from, to) and analyzes them.
ToneEstimate analyze(const std::vector<Packet>& packets, size_t from, size_t to) {
  OpusDecoder d(2);
  std::vector<float> pcm(OpusDecoder::MaxFrameSamples * 2);
  ToneAnalyzer tone(48000, 2, 48000);
  for (size_t i = from; i < to && i < packets.size(); ++i) {
    EXPECT_EQ(OpusDecoder::packet_samples(packets[i].data), 960u);
    const auto n = d.decode(packets[i].data, pcm);
    EXPECT_EQ(n, 960u);
    if (n) tone.push(std::span<const float>(pcm.data(), *n * 2));
  }
  return tone.estimate();
}

struct FixtureCase {
  const char* file;
  uint8_t out_channels;
  int32_t bitrate;
  double level_dbfs;
};

class TranscodeFixture : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(TranscodeFixture, TwentyMillisecondPacketsOfTheSameTone) {
  const FixtureCase c = GetParam();
  const AdtsStream s = read_adts(c.file);
  ASSERT_GT(s.units.size(), 10u);
  AacOpusTranscoder t;
  std::vector<Packet> packets;
  feed(t, s, packets);
  // Every decoded sample is kept: the packet count is the input duration (priming included).
  const double expected = static_cast<double>(s.units.size()) * 1024 * 48000 / s.rate / 960;
  EXPECT_NEAR(static_cast<double>(packets.size()), expected, 1.0);
  expect_continuous(packets);
  for (const auto& p : packets) {
    ASSERT_EQ(p.channels, c.out_channels);
    ASSERT_EQ(OpusDecoder::packet_channels(p.data), c.out_channels);
  }
  // Skip the encoder priming and the codecs' start-up.
  const ToneEstimate e = analyze(packets, 5, packets.size());
  EXPECT_NEAR(e.frequency_hz, 1000, 20);
  EXPECT_NEAR(e.level_dbfs, c.level_dbfs, 1.5);
  const TranscoderStatus& st = t.status();
  EXPECT_EQ(st.input_codec, Codec::AAC);
  EXPECT_EQ(st.input_object_type, 2);
  EXPECT_EQ(st.input_sample_rate, s.rate);
  EXPECT_EQ(st.output_channels, c.out_channels);
  EXPECT_EQ(st.output_bitrate, c.bitrate);
  EXPECT_EQ(st.frames_in, s.units.size());
  EXPECT_EQ(st.frames_out, packets.size());
  EXPECT_EQ(st.decode_errors + st.encode_errors + st.resets + st.gaps + st.rebases, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, TranscodeFixture,
    ::testing::Values(FixtureCase{"sine1k_32k_stereo.aac", 2, 96000, StereoSineDbfs},  // phone
                      FixtureCase{"sine1k_44k_stereo.aac", 2, 96000, StereoSineDbfs},  // OBS
                      FixtureCase{"sine1k_48k_mono.aac", 1, 48000, MonoSineDbfs},
                      // The same sine in all six channels, downmixed without exceeding it.
                      FixtureCase{"sine1k_48k_5ch1.aac", 2, 96000, MonoSineDbfs}));

TEST(AacOpusTranscoder, PacketsCarryArrivalTimeAndInputChannels) {
  const AdtsStream s = read_adts("sine1k_48k_5ch1.aac");
  AacOpusTranscoder t(TranscoderConfig{.bitrate = 64000});
  std::vector<Packet> packets;
  for (size_t i = 0; i < 3; ++i) {
    const auto views = t.push(aac_frame(s.units[i], s.config, static_cast<int64_t>(i) * 21));
    for (const auto& v : views)
      EXPECT_EQ(v.arrival_ns, static_cast<int64_t>(i) * 21'000'000 + 7);
    collect(views, packets);
  }
  EXPECT_EQ(packets.size(), 3u);  // 3 x 1024 = 3072 samples: three whole packets
  EXPECT_EQ(t.status().input_channels, 6);
  EXPECT_EQ(t.status().output_bitrate, 64000);
}

TEST(AacOpusTranscoder, FlushCompletesTheLastPacketWithSilence) {
  const AdtsStream s = read_adts("sine1k_48k_mono.aac");
  AacOpusTranscoder t;
  std::vector<Packet> packets;
  collect(t.push(aac_frame(s.units[0], s.config, 0)), packets);
  ASSERT_EQ(packets.size(), 1u);  // 1024 samples: one packet, 64 left
  collect(t.flush(), packets);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[1].pts, 960);
  EXPECT_TRUE(t.flush().empty());
}

std::shared_ptr<const AudioConfig> config_from(const std::vector<uint8_t>& asc) {
  const auto parsed = AacConfig::parse(asc);
  EXPECT_TRUE(parsed);
  return std::make_shared<const AudioConfig>(parsed->to_audio_config(asc));
}

// ffmpeg cannot encode HE-AAC here, so the fixtures are AAC-LC at 24 kHz under an explicit
// HE-AAC AudioSpecificConfig: FFmpeg's decoder then runs its SBR stage (with no SBR data it
// upsamples the core band) and outputs 2048 samples at 48 kHz per access unit, a rate and
// frame size the config's core fields do not show. (With PS, mono becomes stereo.)
struct HeAacCase {
  const char* file;
  std::vector<uint8_t> asc;
  bool ps;
  uint8_t out_channels;
};

class HeAac : public ::testing::TestWithParam<HeAacCase> {};

TEST_P(HeAac, RateAndChannelsComeFromTheDecodedFrames) {
  const HeAacCase c = GetParam();
  AdtsStream s = read_adts(c.file);
  ASSERT_EQ(s.rate, 24000u);
  s.config = config_from(c.asc);
  EXPECT_TRUE(s.config->sbr);
  EXPECT_EQ(s.config->ps, c.ps);
  EXPECT_EQ(s.config->sample_rate, 24000u);
  AacOpusTranscoder t;
  std::vector<Packet> packets;
  feed(t, s, packets);
  EXPECT_EQ(t.status().input_sample_rate, 48000u);
  EXPECT_EQ(t.status().input_object_type, c.ps ? 29 : 5);
  EXPECT_EQ(t.status().output_channels, c.out_channels);
  const double expected = static_cast<double>(s.units.size()) * 2048 / 960;
  EXPECT_NEAR(static_cast<double>(packets.size()), expected, 1.0);
  expect_continuous(packets);
  EXPECT_NEAR(analyze(packets, 5, packets.size()).frequency_hz, 1000, 20);
  EXPECT_EQ(t.status().decode_errors + t.status().gaps + t.status().rebases, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Configs, HeAac,
    ::testing::Values(
        // AOT 5, core 24 kHz stereo, SBR 48 kHz, core AOT 2.
        HeAacCase{"sine1k_24k_stereo.aac", {0x2b, 0x11, 0x88, 0x00}, false, 2},
        // AOT 29 (PS), core 24 kHz mono, SBR 48 kHz: the decoder outputs stereo.
        HeAacCase{"sine1k_24k_mono.aac", {0xeb, 0x09, 0x88, 0x00}, true, 2}));

TEST(AacOpusTranscoder, CorruptFramesAreSkippedAndCounted) {
  const AdtsStream s = read_adts("sine1k_32k_stereo.aac");
  AacOpusTranscoder t;
  std::vector<Packet> packets;
  std::mt19937 rng(1);
  uint64_t sure_errors = 0;  // frames that cannot be decoded by construction
  for (size_t i = 0; i < s.units.size(); ++i) {
    const int64_t ms = static_cast<int64_t>(i * 32);
    if (i % 4 == 2) {
      Frame bad = aac_frame({}, s.config, ms);  // zero length
      switch (i % 16) {
        case 2:
          bad.data.assign(s.units[i].begin(), s.units[i].begin() + 3);  // truncated
          break;
        case 6:
          bad.data.assign(AacOpusTranscoder::MaxAccessUnitSize + 1, 0x21);  // oversized
          break;
        case 10:
          bad.audio.reset();  // no AudioSpecificConfig
          bad.data = s.units[i];
          break;
        default:
          break;
      }
      ++sure_errors;
      collect(t.push(bad), packets);
      std::vector<uint8_t> noise(100 + rng() % 300);  // random bytes
      for (auto& b : noise)
        b = static_cast<uint8_t>(rng());
      collect(t.push(aac_frame(noise, s.config, ms)), packets);
    }
    const size_t before = packets.size();
    collect(t.push(aac_frame(s.units[i], s.config, ms)), packets);
    // 1024 samples at 32 kHz = 1536 at 48 kHz: every good frame completes a packet.
    EXPECT_GE(packets.size(), before + 1) << "good frame " << i;
  }
  const TranscoderStatus& st = t.status();
  EXPECT_GE(st.decode_errors, sure_errors);
  EXPECT_LE(st.decode_errors, 2 * sure_errors);
  EXPECT_EQ(st.frames_in, s.units.size() + 2 * sure_errors);
  // Whatever the noise did, the timeline never goes back and the tone is still there.
  for (size_t i = 1; i < packets.size(); ++i)
    ASSERT_GE(packets[i].pts - packets[i - 1].pts, 960);
  EXPECT_NEAR(analyze(packets, packets.size() / 2, packets.size()).frequency_hz, 1000, 20);
}

TEST(AacOpusTranscoder, DeterministicRejectionsAreExactlyCounted) {
  const AdtsStream s = read_adts("sine1k_32k_stereo.aac");
  AacOpusTranscoder t;
  Frame f = aac_frame(s.units[0], s.config, 0);
  f.codec = Codec::H264;
  EXPECT_TRUE(t.push(f).empty());
  f = aac_frame({}, s.config, 0);
  EXPECT_TRUE(t.push(f).empty());
  f = aac_frame(s.units[0], s.config, 0);
  f.kind = TrackKind::Video;
  EXPECT_TRUE(t.push(f).empty());
  EXPECT_EQ(t.status().decode_errors, 3u);
  // An AudioSpecificConfig FFmpeg refuses: every frame under it is dropped, cheaply.
  auto broken = std::make_shared<AudioConfig>(*s.config);
  broken->record = {0xF8, 0x00};  // escape object type 31+, then nothing
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(t.push(aac_frame(s.units[1], broken, 0)).empty());
  EXPECT_EQ(t.status().decode_errors, 8u);
  std::vector<Packet> packets;
  feed(t, s, packets, 100);
  EXPECT_FALSE(packets.empty());
  EXPECT_EQ(t.status().decode_errors, 8u);
  EXPECT_EQ(t.status().resets, 1u);
}

TEST(AacOpusTranscoder, ConfigChangeKeepsTheTimelineContinuous) {
  const AdtsStream phone = read_adts("sine1k_32k_stereo.aac");
  const AdtsStream mono = read_adts("sine1k_48k_mono.aac");
  AacOpusTranscoder t;
  std::vector<Packet> packets;
  const int64_t next = feed(t, phone, packets);
  const size_t first_part = packets.size();
  feed(t, mono, packets, next);
  expect_continuous(packets);
  EXPECT_EQ(t.status().resets, 1u);
  EXPECT_EQ(t.status().gaps + t.status().rebases, 0u);
  EXPECT_EQ(t.status().output_channels, 1);
  EXPECT_EQ(t.status().output_bitrate, 48000);
  size_t switch_at = 0;
  for (size_t i = 1; i < packets.size(); ++i) {
    if (packets[i].channels != packets[i - 1].channels) {
      EXPECT_EQ(switch_at, 0u) << "channels switch once";
      switch_at = i;
    }
  }
  EXPECT_EQ(packets.front().channels, 2);
  EXPECT_GE(switch_at, first_part);
  EXPECT_LE(switch_at, first_part + 1);  // at most the padded remainder in between
  const double expected =
      (phone.units.size() * 1024.0 / 32000 + mono.units.size() * 1024.0 / 48000) * 50;
  EXPECT_NEAR(static_cast<double>(packets.size()), expected, 2.0);
  EXPECT_NEAR(analyze(packets, 5, first_part).frequency_hz, 1000, 20);
  EXPECT_NEAR(analyze(packets, switch_at + 5, packets.size()).frequency_hz, 1000, 20);
}

// A rate change with the same channel count re-creates the decoder and resampler but keeps
// the Opus encoder: no padding, the packet count is exactly the audio's. (The same path
// follows implicit-SBR streams, whose decoded rate doubles once SBR data shows up.)
TEST(AacOpusTranscoder, RateChangeKeepsEncoderAndTimeline) {
  const AdtsStream phone = read_adts("sine1k_32k_stereo.aac");
  const AdtsStream obs = read_adts("sine1k_44k_stereo.aac");
  AacOpusTranscoder t;
  std::vector<Packet> packets;
  feed(t, obs, packets, feed(t, phone, packets));
  expect_continuous(packets);
  EXPECT_EQ(t.status().resets, 1u);
  EXPECT_EQ(t.status().input_sample_rate, 44100u);
  EXPECT_EQ(t.status().gaps + t.status().rebases, 0u);
  for (const auto& p : packets)
    ASSERT_EQ(p.channels, 2);
  const double samples =
      phone.units.size() * 1024.0 * 48000 / 32000 + obs.units.size() * 1024.0 * 48000 / 44100;
  EXPECT_NEAR(static_cast<double>(packets.size()), samples / 960, 1.0);
  EXPECT_NEAR(analyze(packets, packets.size() - 40, packets.size()).frequency_hz, 1000, 20);
}

TEST(AacOpusTranscoder, RepeatedSequenceHeaderDoesNotResetTheDecoder) {
  const AdtsStream s = read_adts("sine1k_32k_stereo.aac");
  AacOpusTranscoder t;
  std::vector<Packet> packets;
  for (size_t i = 0; i < s.units.size(); ++i) {
    // A fresh AudioConfig object with the same bytes every few frames (publisher reconnect).
    auto config = i % 5 == 0 ? std::make_shared<const AudioConfig>(*s.config) : s.config;
    collect(t.push(aac_frame(s.units[i], config, static_cast<int64_t>(i * 32))), packets);
  }
  EXPECT_EQ(t.status().resets, 0u);
  expect_continuous(packets);
}

// The second half of the stream with its pts shifted by `shift_ms`.
std::vector<Packet> feed_with_shift(AacOpusTranscoder& t, const AdtsStream& s, int64_t shift_ms,
                                    int jitter_ms = 0) {
  std::vector<Packet> packets;
  std::mt19937 rng(3);
  for (size_t i = 0; i < s.units.size(); ++i) {
    int64_t ms = static_cast<int64_t>(i * 1024 * 1000 / s.rate);
    if (i >= s.units.size() / 2) ms += shift_ms;
    if (jitter_ms > 0) ms += static_cast<int64_t>(rng() % (2 * jitter_ms + 1)) - jitter_ms;
    collect(t.push(aac_frame(s.units[i], s.config, ms)), packets);
  }
  return packets;
}

TEST(AacOpusTranscoder, ForwardGapIsFollowed) {
  const AdtsStream s = read_adts("sine1k_32k_stereo.aac");
  AacOpusTranscoder t;
  const auto packets = feed_with_shift(t, s, 500);
  EXPECT_EQ(t.status().gaps, 1u);
  EXPECT_EQ(t.status().rebases, 0u);
  int jumps = 0;
  for (size_t i = 1; i < packets.size(); ++i) {
    const int64_t d = packets[i].pts - packets[i - 1].pts;
    if (d == 960) continue;
    ++jumps;
    // The remainder is padded to a whole packet, then 500 ms (+-1 ms of rounding) later.
    EXPECT_GE(d, 500 * 48 - 48);
    EXPECT_LE(d, 500 * 48 + 960 + 48);
  }
  EXPECT_EQ(jumps, 1);
}

TEST(AacOpusTranscoder, BackwardAndLongJumpsRebaseWithoutAGap) {
  const AdtsStream s = read_adts("sine1k_32k_stereo.aac");
  for (const int64_t shift : {-1000, -300, 1500, 60'000}) {
    AacOpusTranscoder t;
    const auto packets = feed_with_shift(t, s, shift);
    expect_continuous(packets);
    EXPECT_EQ(t.status().rebases, 1u) << shift;
    EXPECT_EQ(t.status().gaps, 0u) << shift;
  }
}

TEST(AacOpusTranscoder, TimestampJitterIsAbsorbed) {
  const AdtsStream s = read_adts("sine1k_44k_stereo.aac");
  AacOpusTranscoder t;
  const auto packets = feed_with_shift(t, s, 0, 15);
  expect_continuous(packets);
  EXPECT_EQ(t.status().gaps + t.status().rebases, 0u);
}

TEST(AacOpusTranscoder, RejectsBadSettings) {
  EXPECT_THROW(AacOpusTranscoder(TranscoderConfig{.bitrate = 1000}), std::invalid_argument);
  EXPECT_THROW(AacOpusTranscoder(TranscoderConfig{.complexity = 11}), std::invalid_argument);
  EXPECT_THROW(AacOpusTranscoder(TranscoderConfig{.packet_loss_perc = -1}), std::invalid_argument);
  AacOpusTranscoder moved(AacOpusTranscoder{});
  EXPECT_EQ(moved.status().frames_in, 0u);
}

TEST(AacOpusTranscoder, RandomGarbageNeverCrashes) {
  const AdtsStream s = read_adts("sine1k_32k_stereo.aac");
  AacOpusTranscoder t;
  std::mt19937 rng(42);
  std::shared_ptr<const AudioConfig> config = s.config;
  int64_t last_pts = -960;
  uint64_t packets = 0;
  for (int i = 0; i < 3000; ++i) {
    if (rng() % 50 == 0) {
      auto c = std::make_shared<AudioConfig>(*s.config);
      c->record.resize(1 + rng() % 8);
      for (auto& b : c->record)
        b = static_cast<uint8_t>(rng());
      config = rng() % 3 == 0 ? s.config : std::move(c);
    }
    std::vector<uint8_t> au = s.units[rng() % s.units.size()];
    const int mode = static_cast<int>(rng() % 3);
    if (mode == 0) au.resize(rng() % 800);
    for (auto& b : au) {
      if (mode != 2 || rng() % 20 == 0) b = static_cast<uint8_t>(rng());
    }
    const int64_t ms = i * 32 + static_cast<int64_t>(rng() % 3 == 0 ? rng() % 5000 : 0);
    for (const auto& v : t.push(aac_frame(au, config, ms))) {
      ASSERT_FALSE(v.data.empty());
      ASSERT_LE(v.data.size(), 1275u);
      ASSERT_TRUE(v.channels == 1 || v.channels == 2);
      ASSERT_GE(v.pts_48k, last_pts + 960);
      last_pts = v.pts_48k;
      ++packets;
    }
  }
  EXPECT_EQ(t.status().frames_in, 3000u);
  EXPECT_EQ(t.status().frames_out, packets);
  EXPECT_GT(t.status().decode_errors, 0u);
}

}  // namespace
}  // namespace media
