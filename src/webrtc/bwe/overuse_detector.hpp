#pragma once
// Over-use detector with an adaptive threshold (draft-ietf-rmcat-gcc-02 5.4). The threshold
// follows |trend| so the detector stays sensitive on a quiet path and is not starved by a
// competing TCP flow's standing queue.
#include <cstdint>

namespace webrtc::bwe {

enum class BandwidthUsage : uint8_t { kNormal, kOverusing, kUnderusing };

const char* to_string(BandwidthUsage usage) noexcept;

class OveruseDetector {
 public:
  struct Config {
    double k_up = 0.0087;   // per ms, while |trend| is above the threshold
    double k_down = 0.039;  // per ms, while |trend| is below it
    double initial_threshold_ms = 12.5;
    double min_threshold_ms = 6;
    double max_threshold_ms = 600;
    double overuse_time_ms = 10;  // overuse must persist this long before it is signalled
    // 5.4: a trend this far above the threshold (a route change, a stall) does not move it.
    double max_threshold_jump_ms = 15;
  };
  OveruseDetector() : OveruseDetector(Config{}) {}
  explicit OveruseDetector(Config config);

  // `trend_ms`: the estimator's output; `elapsed_ms`: time since the previous group.
  BandwidthUsage detect(double trend_ms, double elapsed_ms) noexcept;

  BandwidthUsage state() const noexcept { return state_; }
  // How many times over-use was signalled (sustained and growing): a new one since the last
  // look means the queue still grows.
  uint64_t overuse_signals() const noexcept { return overuse_signals_; }
  double threshold_ms() const noexcept { return threshold_ms_; }

 private:
  void adapt_threshold(double trend_ms, double elapsed_ms) noexcept;

  Config config_;
  double threshold_ms_;
  double time_over_ms_ = -1;  // -1: not currently above the threshold
  int samples_over_ = 0;
  double previous_trend_ms_ = 0;
  BandwidthUsage state_ = BandwidthUsage::kNormal;
  uint64_t overuse_signals_ = 0;
};

}  // namespace webrtc::bwe
