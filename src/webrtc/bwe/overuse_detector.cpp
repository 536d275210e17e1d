#include "webrtc/bwe/overuse_detector.hpp"

#include <algorithm>
#include <cmath>

namespace webrtc::bwe {

const char* to_string(BandwidthUsage usage) noexcept {
  switch (usage) {
    case BandwidthUsage::kNormal:
      return "normal";
    case BandwidthUsage::kOverusing:
      return "overusing";
    case BandwidthUsage::kUnderusing:
      return "underusing";
  }
  return "?";
}

OveruseDetector::OveruseDetector(Config config)
    : config_(config), threshold_ms_(config.initial_threshold_ms) {}

BandwidthUsage OveruseDetector::detect(double trend_ms, double elapsed_ms) noexcept {
  if (!std::isfinite(trend_ms)) return state_;
  elapsed_ms = std::clamp(std::isfinite(elapsed_ms) ? elapsed_ms : 0.0, 0.0, 100.0);
  if (trend_ms > threshold_ms_) {
    // First sample above: count half its interval, as the crossing happened somewhere in it.
    time_over_ms_ = time_over_ms_ < 0 ? elapsed_ms / 2 : time_over_ms_ + elapsed_ms;
    ++samples_over_;
    // 5.4: only a sustained (> overuse_time) and still growing trend is over-use.
    if (time_over_ms_ > config_.overuse_time_ms && samples_over_ > 1 &&
        trend_ms >= previous_trend_ms_) {
      time_over_ms_ = 0;
      samples_over_ = 0;
      state_ = BandwidthUsage::kOverusing;
      ++overuse_signals_;
    }
  } else if (trend_ms < -threshold_ms_) {
    time_over_ms_ = -1;
    samples_over_ = 0;
    state_ = BandwidthUsage::kUnderusing;
  } else {
    time_over_ms_ = -1;
    samples_over_ = 0;
    state_ = BandwidthUsage::kNormal;
  }
  previous_trend_ms_ = trend_ms;
  adapt_threshold(trend_ms, elapsed_ms);
  return state_;
}

void OveruseDetector::adapt_threshold(double trend_ms, double elapsed_ms) noexcept {
  double magnitude = std::abs(trend_ms);
  if (magnitude > threshold_ms_ + config_.max_threshold_jump_ms) return;
  double k = magnitude < threshold_ms_ ? config_.k_down : config_.k_up;
  // Never step past |trend| (k * elapsed can exceed 1 at k_down and 100 ms).
  double step = std::min(k * elapsed_ms, 1.0);
  threshold_ms_ += step * (magnitude - threshold_ms_);
  threshold_ms_ = std::clamp(threshold_ms_, config_.min_threshold_ms, config_.max_threshold_ms);
}

}  // namespace webrtc::bwe
