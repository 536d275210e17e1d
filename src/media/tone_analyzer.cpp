#include "media/tone_analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace media {
namespace {

size_t next_pow2(size_t n) noexcept {
  size_t p = 1;
  while (p < n)
    p <<= 1;
  return p;
}

// In-place iterative radix-2 decimation-in-time FFT; size is a power of two.
void fft(std::span<std::complex<double>> a) noexcept {
  const size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1)
      j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const double angle = -2 * std::numbers::pi / static_cast<double>(len);
    const std::complex<double> step(std::cos(angle), std::sin(angle));
    for (size_t i = 0; i < n; i += len) {
      std::complex<double> w(1, 0);
      for (size_t k = 0; k < len / 2; ++k) {
        const std::complex<double> u = a[i + k];
        const std::complex<double> v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
        w *= step;
      }
    }
  }
}

}  // namespace

ToneAnalyzer::ToneAnalyzer(uint32_t sample_rate, uint8_t channels, size_t window_frames)
    : sample_rate_(sample_rate), channels_(channels), window_(std::min(window_frames, MaxFftSize)) {
  if (sample_rate == 0 || channels == 0 || channels > MaxChannels || window_ == 0) {
    throw std::invalid_argument("ToneAnalyzer: bad rate, channel count or window");
  }
  mono_.assign(window_, 0.0F);
  energy_.assign(window_, 0.0F);
  fft_.assign(next_pow2(std::max(window_, MinFrames)), {});
}

template <typename T>
void ToneAnalyzer::push_frames(std::span<const T> interleaved, float scale) noexcept {
  const size_t frames = interleaved.size() / channels_;
  // Only the latest window_ frames can matter.
  const size_t skip = frames > window_ ? frames - window_ : 0;
  for (size_t f = skip; f < frames; ++f) {
    float sum = 0;
    float squares = 0;
    for (size_t c = 0; c < channels_; ++c) {
      const float s = static_cast<float>(interleaved[f * channels_ + c]) * scale;
      sum += s;
      squares += s * s;
    }
    mono_[head_] = sum / static_cast<float>(channels_);
    energy_[head_] = squares / static_cast<float>(channels_);
    head_ = (head_ + 1) % window_;
    filled_ = std::min(filled_ + 1, window_);
  }
}

void ToneAnalyzer::push(std::span<const float> interleaved) noexcept {
  push_frames(interleaved, 1.0F);
}

void ToneAnalyzer::push(std::span<const int16_t> interleaved) noexcept {
  push_frames(interleaved, 1.0F / 32768.0F);
}

void ToneAnalyzer::clear() noexcept {
  head_ = 0;
  filled_ = 0;
}

ToneEstimate ToneAnalyzer::estimate() const noexcept {
  ToneEstimate out;
  if (filled_ == 0) return out;
  const size_t first = (head_ + window_ - filled_) % window_;
  double energy = 0;
  for (size_t i = 0; i < filled_; ++i)
    energy += energy_[(first + i) % window_];
  const double rms = std::sqrt(energy / static_cast<double>(filled_));
  out.level_dbfs = std::max(ToneEstimate::SilenceDbfs, 20 * std::log10(std::max(rms, 1e-12)));
  if (out.level_dbfs <= ToneEstimate::SilenceDbfs || filled_ < MinFrames) return out;
  out.frequency_hz = peak_frequency(first);
  return out;
}

// Hann-windowed, mean-removed, zero-padded to a power of two; the log-magnitude parabola
// through the peak bin and its neighbours gives the fractional bin.
double ToneAnalyzer::peak_frequency(size_t first) const noexcept {
  const size_t n = filled_;
  const size_t size = next_pow2(n);
  std::span<std::complex<double>> a(fft_.data(), size);
  double mean = 0;
  for (size_t i = 0; i < n; ++i)
    mean += mono_[(first + i) % window_];
  mean /= static_cast<double>(n);
  for (size_t i = 0; i < size; ++i) {
    if (i >= n) {
      a[i] = 0;
      continue;
    }
    const double w = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) /
                                          static_cast<double>(n));
    a[i] = (mono_[(first + i) % window_] - mean) * w;
  }
  fft(a);
  size_t peak = 1;
  double best = -1;
  for (size_t k = 1; k < size / 2; ++k) {
    const double m = std::norm(a[k]);
    if (m > best) {
      best = m;
      peak = k;
    }
  }
  if (best <= 0) return 0;
  double offset = 0;
  if (peak + 1 < size / 2) {
    const double l = std::log(std::norm(a[peak - 1]) + 1e-300);
    const double c = std::log(best + 1e-300);
    const double r = std::log(std::norm(a[peak + 1]) + 1e-300);
    const double d = l - 2 * c + r;
    // Both halves of the log-power parabola; d < 0 at a true maximum.
    if (d < 0) offset = std::clamp(0.5 * (l - r) / d, -0.5, 0.5);
  }
  return (static_cast<double>(peak) + offset) * sample_rate_ / static_cast<double>(size);
}

ToneEstimate ToneAnalyzer::analyze(std::span<const float> interleaved, uint8_t channels,
                                   uint32_t sample_rate) {
  const size_t frames = channels == 0 ? 0 : interleaved.size() / channels;
  ToneAnalyzer a(sample_rate, channels, std::max<size_t>(frames, 1));
  a.push(interleaved);
  return a.estimate();
}

}  // namespace media
