#include "av_sync_meter.hpp"

#include <algorithm>
#include <cmath>

namespace tools::whep_client {
namespace {

constexpr float kQuiet = 0.02f;             // below: silence between beeps
constexpr float kLoud = 0.1f;               // above, after enough quiet: a beep starts
constexpr size_t kQuietBefore = 48000 / 5;  // 200 ms of quiet before an onset counts
constexpr double kMaxPairMs = 400;

}  // namespace

void AvSyncMeter::on_keyframe(uint32_t rtp_timestamp) {
  if (keyframes_.size() < MaxEvents) keyframes_.push_back(rtp_timestamp);
}

void AvSyncMeter::on_audio(uint32_t rtp_timestamp, std::span<const float> pcm, size_t channels) {
  if (channels == 0) return;
  audio_end_ = rtp_timestamp + static_cast<uint32_t>(pcm.size() / channels);
  for (size_t i = 0; i + channels <= pcm.size(); i += channels) {
    float peak = 0;
    for (size_t c = 0; c < channels; ++c)
      peak = std::max(peak, std::fabs(pcm[i + c]));
    if (peak < kQuiet) {
      ++quiet_samples_;
      continue;
    }
    // The codecs soften the attack: arm on the first sample out of a long quiet stretch, fire
    // when the level is clearly up.
    if (quiet_samples_ >= kQuietBefore) armed_ = true;
    quiet_samples_ = 0;
    if (armed_ && peak >= kLoud) {
      armed_ = false;
      if (onsets_.size() < MaxEvents) {
        onsets_.push_back(rtp_timestamp + static_cast<uint32_t>(i / channels));
      }
    }
  }
}

void AvSyncMeter::on_sender_report(bool video, uint64_t ntp, uint32_t rtp_timestamp) {
  (video ? video_sr_ : audio_sr_) = Report{ntp, rtp_timestamp};
}

double AvSyncMeter::to_ms(const Report& sr, uint32_t rtp, double rate) {
  const double ntp_ms = static_cast<double>(sr.ntp >> 32) * 1000.0 +
                        static_cast<double>(sr.ntp & 0xFFFFFFFFu) * 1000.0 / 4294967296.0;
  return ntp_ms + static_cast<int32_t>(rtp - sr.rtp) * 1000.0 / rate;
}

std::optional<AvSyncMeter::Result> AvSyncMeter::result() const {
  if (!video_sr_ || !audio_sr_ || !audio_end_ || keyframes_.size() < 2 || onsets_.empty()) {
    return std::nullopt;
  }
  const double audio_end_ms = to_ms(*audio_sr_, *audio_end_, 48000);
  std::vector<double> beeps;
  for (uint32_t a : onsets_)
    beeps.push_back(to_ms(*audio_sr_, a, 48000));
  std::vector<double> offsets;
  for (size_t i = 1; i < keyframes_.size(); ++i) {
    const double v = to_ms(*video_sr_, keyframes_[i], 90000);
    if (v + AudioAfterKeyframeMs > audio_end_ms) continue;
    const auto nearest = std::min_element(beeps.begin(), beeps.end(), [v](double x, double y) {
      return std::fabs(x - v) < std::fabs(y - v);
    });
    offsets.push_back(v - *nearest);
  }
  if (offsets.empty()) return std::nullopt;
  Result r;
  r.keyframes = keyframes_.size();
  r.onsets = onsets_.size();
  // Unpaired (farther than kMaxPairMs) offsets still count in max_abs_ms: a clear failure.
  r.pairs = static_cast<size_t>(std::count_if(offsets.begin(), offsets.end(),
                                              [](double o) { return std::fabs(o) <= kMaxPairMs; }));
  for (double o : offsets)
    r.max_abs_ms = std::max(r.max_abs_ms, std::fabs(o));
  std::sort(offsets.begin(), offsets.end());
  r.median_ms = offsets[offsets.size() / 2];
  return r;
}

}  // namespace tools::whep_client
