#include "media/opus_decoder.hpp"

#include <gtest/gtest.h>
#include <opus.h>

#include <array>
#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include "media/tone_analyzer.hpp"

namespace media {
namespace {

// 20 ms Opus packets of a 1 kHz sine, encoded with libopus directly.
std::vector<std::vector<uint8_t>> encode_sine(int channels, int packets) {
  int err = 0;
  ::OpusEncoder* enc = opus_encoder_create(48000, channels, OPUS_APPLICATION_AUDIO, &err);
  EXPECT_EQ(err, OPUS_OK);
  std::vector<std::vector<uint8_t>> out;
  std::vector<float> pcm(960 * static_cast<size_t>(channels));
  size_t t = 0;
  for (int p = 0; p < packets; ++p) {
    for (size_t i = 0; i < 960; ++i, ++t) {
      const float v = 0.25F * static_cast<float>(std::sin(2 * std::numbers::pi * 1000.0 *
                                                          static_cast<double>(t) / 48000.0));
      for (int c = 0; c < channels; ++c)
        pcm[i * static_cast<size_t>(channels) + static_cast<size_t>(c)] = v;
    }
    std::array<uint8_t, 1500> buf{};
    const int n = opus_encode_float(enc, pcm.data(), 960, buf.data(), 1500);
    EXPECT_GT(n, 0);
    out.emplace_back(buf.begin(), buf.begin() + std::max(n, 0));
  }
  opus_encoder_destroy(enc);
  return out;
}

TEST(OpusDecoder, DecodesStereoSineBackToOneKilohertz) {
  OpusDecoder d(2);
  std::vector<float> pcm(OpusDecoder::MaxFrameSamples * 2);
  ToneAnalyzer tone(48000, 2, 48000);
  for (const auto& p : encode_sine(2, 50)) {
    EXPECT_EQ(OpusDecoder::packet_samples(p), 960u);
    EXPECT_EQ(OpusDecoder::packet_channels(p), 2);
    const auto n = d.decode(p, pcm);
    ASSERT_EQ(n, 960u);
    tone.push(std::span<const float>(pcm.data(), *n * 2));
  }
  const ToneEstimate e = tone.estimate();
  EXPECT_NEAR(e.frequency_hz, 1000, 2);
  EXPECT_NEAR(e.level_dbfs, 20 * std::log10(0.25 / std::sqrt(2.0)), 1.5);
  EXPECT_EQ(d.errors(), 0u);
}

TEST(OpusDecoder, MonoPacketsIntoStereoOutputAndInt16) {
  OpusDecoder d(2);
  std::vector<int16_t> pcm(960 * 2);
  const auto packets = encode_sine(1, 5);
  EXPECT_EQ(OpusDecoder::packet_channels(packets[0]), 1);
  for (const auto& p : packets)
    EXPECT_EQ(d.decode(p, pcm), 960u);
  // Upmixed: both channels carry the same samples.
  EXPECT_EQ(pcm[500 * 2], pcm[500 * 2 + 1]);
  EXPECT_NE(pcm[500 * 2], 0);
}

TEST(OpusDecoder, TocSampleCounts) {
  // RFC 6716 3.1: config 31 = CELT FB 20 ms, config 0 = SILK NB 10 ms; code 1 = two frames.
  EXPECT_EQ(OpusDecoder::packet_samples(std::vector<uint8_t>{0xF8}), 960u);
  EXPECT_EQ(OpusDecoder::packet_samples(std::vector<uint8_t>{0xF9}), 1920u);
  EXPECT_EQ(OpusDecoder::packet_samples(std::vector<uint8_t>{0x00}), 480u);
  EXPECT_EQ(OpusDecoder::packet_channels(std::vector<uint8_t>{0xFC}), 2);
  EXPECT_EQ(OpusDecoder::packet_samples(std::vector<uint8_t>{0xFB}), std::nullopt);  // no count
  EXPECT_EQ(OpusDecoder::packet_samples({}), std::nullopt);
  EXPECT_EQ(OpusDecoder::packet_channels({}), std::nullopt);
}

TEST(OpusDecoder, MalformedPacketsAndSmallBuffersAreErrors) {
  OpusDecoder d(1);
  std::vector<float> pcm(960);
  EXPECT_EQ(d.decode(std::vector<uint8_t>{0xFB}, pcm), std::nullopt);  // code 3, no count byte
  EXPECT_EQ(d.errors(), 1u);
  const auto packets = encode_sine(1, 1);
  std::vector<float> small(480);
  EXPECT_EQ(d.decode(packets[0], small), std::nullopt);
  EXPECT_EQ(d.decode(packets[0], std::span<float>()), std::nullopt);
  EXPECT_EQ(d.errors(), 3u);
  EXPECT_EQ(d.decode(packets[0], pcm), 960u);
}

TEST(OpusDecoder, EmptyPacketConcealsTwentyMilliseconds) {
  OpusDecoder d(2);
  std::vector<float> pcm(OpusDecoder::MaxFrameSamples * 2);
  for (const auto& p : encode_sine(2, 3))
    ASSERT_TRUE(d.decode(p, pcm));
  EXPECT_EQ(d.decode({}, pcm), 960u);
}

TEST(OpusDecoder, MovesAndRejectsBadChannelCounts) {
  EXPECT_THROW(OpusDecoder(0), std::invalid_argument);
  EXPECT_THROW(OpusDecoder(3), std::invalid_argument);
  OpusDecoder a(2);
  OpusDecoder b(std::move(a));
  std::vector<float> pcm(960 * 2);
  EXPECT_EQ(b.decode(encode_sine(2, 1)[0], pcm), 960u);
  a = std::move(b);
  EXPECT_EQ(a.channels(), 2);
  EXPECT_EQ(a.decode(encode_sine(2, 1)[0], pcm), 960u);
}

TEST(OpusDecoder, RandomGarbageNeverCrashes) {
  OpusDecoder d(2);
  std::mt19937 rng(7);
  std::vector<float> pcm(OpusDecoder::MaxFrameSamples * 2);
  size_t decoded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> p(rng() % 1500);
    for (auto& b : p)
      b = static_cast<uint8_t>(rng());
    if (auto n = d.decode(p, pcm)) {
      EXPECT_LE(*n, OpusDecoder::MaxFrameSamples);
      ++decoded;
    }
    (void)OpusDecoder::packet_samples(p);
  }
  EXPECT_EQ(decoded + d.errors(), 3000u);
}

}  // namespace
}  // namespace media
