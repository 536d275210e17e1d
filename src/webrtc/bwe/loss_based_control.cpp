#include "webrtc/bwe/loss_based_control.hpp"

#include <algorithm>

namespace webrtc::bwe {

LossBasedControl::LossBasedControl(Config config) : config_(config) {
  config_.min_bps = std::max<int64_t>(config_.min_bps, 1);
  config_.max_bps = std::max(config_.max_bps, config_.min_bps);
  config_.min_packets = std::max<size_t>(config_.min_packets, 1);
  estimate_bps_ = std::clamp(config_.start_bps, config_.min_bps, config_.max_bps);
}

int64_t LossBasedControl::on_feedback(size_t lost, size_t received, size_t recovered,
                                      std::optional<int64_t> acked_bps, TimePoint now) noexcept {
  if (!interval_start_) interval_start_ = now;
  lost_ += lost;
  received_ += received;
  // A late arrival first counted lost: undo what is still in this interval's count.
  size_t undo = std::min(recovered, lost_);
  lost_ -= undo;
  received_ += undo;
  size_t total = lost_ + received_;
  if (total < config_.min_packets || now - *interval_start_ < config_.interval) {
    return estimate_bps_;
  }
  loss_fraction_ = static_cast<double>(lost_) / static_cast<double>(total);
  double current = static_cast<double>(estimate_bps_);
  double next = current;
  if (loss_fraction_ > config_.high_loss) {
    next = current * (1.0 - 0.5 * loss_fraction_);
  } else if (loss_fraction_ < config_.low_loss) {
    next = current * config_.increase;
    if (acked_bps) {
      double cap = config_.cap_factor * static_cast<double>(*acked_bps) +
                   static_cast<double>(config_.cap_extra_bps);
      if (next > cap) next = std::max(cap, std::min(next, current));
    }
  }
  estimate_bps_ = std::clamp(static_cast<int64_t>(next), config_.min_bps, config_.max_bps);
  lost_ = 0;
  received_ = 0;
  interval_start_ = now;
  return estimate_bps_;
}

}  // namespace webrtc::bwe
