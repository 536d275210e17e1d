#pragma once
// Dominant frequency and RMS level of PCM, so tests and the WHEP client can check that a test
// tone survived the AAC -> Opus -> RTP chain. Frequency: Hann window, zero-padded radix-2 FFT,
// parabolic interpolation of the log magnitude around the peak bin (well under 1 Hz at 48 kHz
// over 1 s). Pure: samples in, numbers out.
#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace media {

struct ToneEstimate {
  static constexpr double SilenceDbfs = -120;  // floor for silence and empty input
  double frequency_hz = 0;                     // 0 when the input is silent or too short
  // RMS over every sample of every channel, relative to a full-scale square wave: a full-scale
  // sine reads -3.01 dBFS. Never below SilenceDbfs.
  double level_dbfs = SilenceDbfs;
};

class ToneAnalyzer {
 public:
  static constexpr size_t MaxFftSize = 65536;  // 1.36 s at 48 kHz
  static constexpr size_t MinFrames = 64;      // fewer frames give no frequency
  static constexpr uint8_t MaxChannels = 8;

  // Keeps the latest `window_frames` sample frames (capped at MaxFftSize) of interleaved
  // `channels`-channel audio. Throws std::invalid_argument on a zero rate, window or channel
  // count, or more than MaxChannels.
  ToneAnalyzer(uint32_t sample_rate, uint8_t channels, size_t window_frames);

  // Interleaved samples; a trailing partial frame is ignored. int16 is scaled by 1/32768.
  void push(std::span<const float> interleaved) noexcept;
  void push(std::span<const int16_t> interleaved) noexcept;
  void clear() noexcept;

  size_t buffered_frames() const noexcept { return filled_; }
  uint32_t sample_rate() const noexcept { return sample_rate_; }
  // Over the buffered window (all of it: the oldest frame first).
  ToneEstimate estimate() const noexcept;

  // One-shot analysis of a whole interleaved buffer (its latest MaxFftSize frames).
  static ToneEstimate analyze(std::span<const float> interleaved, uint8_t channels,
                              uint32_t sample_rate);

 private:
  template <typename T>
  void push_frames(std::span<const T> interleaved, float scale) noexcept;
  double peak_frequency(size_t first) const noexcept;

  uint32_t sample_rate_;
  uint8_t channels_;
  size_t window_;
  std::vector<float> mono_;    // ring: channel mean per frame, for the frequency
  std::vector<float> energy_;  // ring: mean square over channels per frame, for the level
  size_t head_ = 0;            // next write position
  size_t filled_ = 0;
  mutable std::vector<std::complex<double>> fft_;  // estimate()'s scratch, sized once
};

}  // namespace media
