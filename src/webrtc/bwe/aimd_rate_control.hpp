#pragma once
// Delay-based rate controller (draft-ietf-rmcat-gcc-02 5.5): additive-increase,
// multiplicative-decrease driven by the over-use signal and the acknowledged bitrate.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "webrtc/bwe/overuse_detector.hpp"
#include "webrtc/bwe/packet_result.hpp"

namespace webrtc::bwe {

enum class RateControlState : uint8_t { kHold, kIncrease, kDecrease };

const char* to_string(RateControlState state) noexcept;

class AimdRateControl {
 public:
  struct Config {
    int64_t start_bps = 1'000'000;
    int64_t min_bps = 50'000;
    int64_t max_bps = 50'000'000;
    double beta = 0.85;                 // decrease to beta x acknowledged bitrate
    double increase_per_second = 1.08;  // multiplicative increase far from convergence
    double expected_packet_bits = 1200 * 8;
    // Never above cap_factor x acknowledged + cap_extra (5.5: avoid running far ahead of
    // what the path has shown it carries).
    double cap_factor = 1.5;
    int64_t cap_extra_bps = 10'000;
  };
  AimdRateControl() : AimdRateControl(Config{}) {}
  explicit AimdRateControl(Config config);

  // One update per feedback. `acked_bps`: the acknowledged bitrate when known; `rtt`: the
  // current round-trip estimate (sets the response time of the additive increase).
  int64_t update(BandwidthUsage usage, std::optional<int64_t> acked_bps, TimePoint now,
                 std::chrono::milliseconds rtt) noexcept;

  int64_t estimate_bps() const noexcept { return estimate_bps_; }
  RateControlState state() const noexcept { return state_; }
  // A probe showed the link carries `bps`: start from there (never lowers the estimate).
  void raise_to(int64_t bps) noexcept {
    estimate_bps_ = std::max(estimate_bps_, std::clamp(bps, config_.min_bps, config_.max_bps));
  }
  // Whether the last increase was additive (near the rate of the last decreases).
  bool near_convergence() const noexcept { return near_convergence_; }

 private:
  void transition(BandwidthUsage usage) noexcept;
  int64_t increased(std::optional<int64_t> acked_bps, double elapsed_ms,
                    std::chrono::milliseconds rtt) noexcept;
  int64_t decreased(std::optional<int64_t> acked_bps) noexcept;
  void learn_decrease_rate(double acked_bps) noexcept;

  Config config_;
  int64_t estimate_bps_;
  RateControlState state_ = RateControlState::kIncrease;
  std::optional<TimePoint> last_update_;
  std::optional<TimePoint> last_decrease_;
  // Average and variance of the acknowledged rate at the decreases: where the link was full.
  std::optional<double> decrease_avg_bps_;
  double decrease_var_ = 0;  // of the rate, normalised by the average
  bool near_convergence_ = false;
};

}  // namespace webrtc::bwe
