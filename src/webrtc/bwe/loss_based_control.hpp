#pragma once
// Loss-based controller (draft-ietf-rmcat-gcc-02 6): from the share of packets feedback
// reports lost. Above 10 % the rate drops by half the loss, 2-10 % holds (loss a
// delay-based controller cannot act on, e.g. wireless), below 2 % it rises 5 %.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "webrtc/bwe/packet_result.hpp"

namespace webrtc::bwe {

class LossBasedControl {
 public:
  struct Config {
    int64_t start_bps = 1'000'000;
    int64_t min_bps = 50'000;
    int64_t max_bps = 50'000'000;
    double high_loss = 0.10;
    double low_loss = 0.02;
    double increase = 1.05;
    // One decision per interval, and only on enough packets for a loss share to mean
    // something (1 lost out of 10 is not 10 % loss).
    std::chrono::milliseconds interval{100};
    size_t min_packets = 40;
    double cap_factor = 1.5;  // increases stop at cap_factor x acknowledged + cap_extra
    int64_t cap_extra_bps = 10'000;
  };
  LossBasedControl() : LossBasedControl(Config{}) {}
  explicit LossBasedControl(Config config);

  // Counts from one feedback. `recovered`: packets earlier reported lost and now received.
  int64_t on_feedback(size_t lost, size_t received, size_t recovered,
                      std::optional<int64_t> acked_bps, TimePoint now) noexcept;

  int64_t estimate_bps() const noexcept { return estimate_bps_; }
  // A probe showed the link carries `bps` without loss worth a decrease: start from there.
  void raise_to(int64_t bps) noexcept {
    estimate_bps_ = std::max(estimate_bps_, std::clamp(bps, config_.min_bps, config_.max_bps));
  }
  // The share lost in the last decided interval.
  double loss_fraction() const noexcept { return loss_fraction_; }

 private:
  Config config_;
  int64_t estimate_bps_;
  size_t lost_ = 0;
  size_t received_ = 0;
  std::optional<TimePoint> interval_start_;
  double loss_fraction_ = 0;
};

}  // namespace webrtc::bwe
