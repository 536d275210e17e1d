#include "media/tone_analyzer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace media {
namespace {

// Interleaved sine, the same in every channel.
std::vector<float> sine(double hz, uint32_t rate, size_t frames, uint8_t channels = 1,
                        double amplitude = 0.5) {
  std::vector<float> out(frames * channels);
  for (size_t i = 0; i < frames; ++i) {
    const double v =
        amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate);
    for (size_t c = 0; c < channels; ++c)
      out[i * channels + c] = static_cast<float>(v);
  }
  return out;
}

TEST(ToneAnalyzer, FindsOneKilohertzAtFortyEightKilohertz) {
  const ToneEstimate e = ToneAnalyzer::analyze(sine(1000, 48000, 48000), 1, 48000);
  EXPECT_NEAR(e.frequency_hz, 1000, 1.0);
  EXPECT_NEAR(e.level_dbfs, 20 * std::log10(0.5 / std::sqrt(2.0)), 0.05);  // -9.03
}

TEST(ToneAnalyzer, StereoAndOtherRatesAndFrequencies) {
  struct Case {
    double hz;
    uint32_t rate;
    uint8_t channels;
  };
  for (const Case c : {Case{440, 44100, 2}, Case{1000, 32000, 2}, Case{50, 48000, 1},
                       Case{15000, 48000, 2}, Case{997, 8000, 1}}) {
    const ToneEstimate e =
        ToneAnalyzer::analyze(sine(c.hz, c.rate, c.rate / 2, c.channels), c.channels, c.rate);
    EXPECT_NEAR(e.frequency_hz, c.hz, 2.0) << c.hz << " Hz at " << c.rate;
  }
}

TEST(ToneAnalyzer, FullScaleSineReadsMinusThreeDb) {
  const ToneEstimate e = ToneAnalyzer::analyze(sine(1000, 48000, 4800, 2, 1.0), 2, 48000);
  EXPECT_NEAR(e.level_dbfs, -3.01, 0.05);
}

TEST(ToneAnalyzer, SilenceAndEmptyInput) {
  const std::vector<float> zeros(48000 * 2, 0.0F);
  ToneEstimate e = ToneAnalyzer::analyze(zeros, 2, 48000);
  EXPECT_EQ(e.frequency_hz, 0);
  EXPECT_EQ(e.level_dbfs, ToneEstimate::SilenceDbfs);
  e = ToneAnalyzer::analyze(std::span<const float>(), 2, 48000);
  EXPECT_EQ(e.frequency_hz, 0);
  EXPECT_EQ(e.level_dbfs, ToneEstimate::SilenceDbfs);
}

TEST(ToneAnalyzer, TooShortGivesLevelButNoFrequency) {
  const ToneEstimate e =
      ToneAnalyzer::analyze(sine(1000, 48000, ToneAnalyzer::MinFrames - 1), 1, 48000);
  EXPECT_EQ(e.frequency_hz, 0);
  EXPECT_GT(e.level_dbfs, -20);
}

TEST(ToneAnalyzer, WindowKeepsOnlyTheLatestAudio) {
  ToneAnalyzer a(48000, 2, 48000);
  a.push(sine(500, 48000, 96000, 2, 0.9));
  // Fed in odd-sized pieces, as RTP packets would arrive.
  const auto later = sine(1500, 48000, 48000, 2, 0.1);
  for (size_t i = 0; i < later.size(); i += 2 * 777) {
    const size_t n = std::min<size_t>(2 * 777, later.size() - i);
    a.push(std::span<const float>(later).subspan(i, n));
  }
  EXPECT_EQ(a.buffered_frames(), 48000u);
  const ToneEstimate e = a.estimate();
  EXPECT_NEAR(e.frequency_hz, 1500, 1.0);
  EXPECT_NEAR(e.level_dbfs, 20 * std::log10(0.1 / std::sqrt(2.0)), 0.1);
  a.clear();
  EXPECT_EQ(a.buffered_frames(), 0u);
  EXPECT_EQ(a.estimate().level_dbfs, ToneEstimate::SilenceDbfs);
}

TEST(ToneAnalyzer, Int16InputIsScaled) {
  const auto f = sine(1000, 48000, 24000, 1, 0.5);
  std::vector<int16_t> pcm(f.size());
  for (size_t i = 0; i < f.size(); ++i)
    pcm[i] = static_cast<int16_t>(std::lround(f[i] * 32767));
  ToneAnalyzer a(48000, 1, 24000);
  a.push(std::span<const int16_t>(pcm));
  const ToneEstimate e = a.estimate();
  EXPECT_NEAR(e.frequency_hz, 1000, 1.0);
  EXPECT_NEAR(e.level_dbfs, -9.03, 0.05);
}

TEST(ToneAnalyzer, PartialTrailingFrameIsIgnored) {
  ToneAnalyzer a(48000, 2, 1000);
  const std::vector<float> three = {0.5F, 0.5F, 0.5F};
  a.push(three);
  EXPECT_EQ(a.buffered_frames(), 1u);
}

TEST(ToneAnalyzer, RejectsBadParameters) {
  EXPECT_THROW(ToneAnalyzer(0, 1, 100), std::invalid_argument);
  EXPECT_THROW(ToneAnalyzer(48000, 0, 100), std::invalid_argument);
  EXPECT_THROW(ToneAnalyzer(48000, ToneAnalyzer::MaxChannels + 1, 100), std::invalid_argument);
  EXPECT_THROW(ToneAnalyzer(48000, 2, 0), std::invalid_argument);
}

}  // namespace
}  // namespace media
