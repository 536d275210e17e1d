#include "webrtc/bwe/aimd_rate_control.hpp"

#include <algorithm>
#include <cmath>

namespace webrtc::bwe {

namespace {

// Below this relative standard deviation the band around the decrease average would be too
// narrow to ever count as "near": measurement noise alone is a few percent.
constexpr double kMinRelativeDeviation = 0.02;
constexpr double kDecreaseAverageWeight = 0.05;
constexpr double kBaseResponseMs = 100;

}  // namespace

const char* to_string(RateControlState state) noexcept {
  switch (state) {
    case RateControlState::kHold:
      return "hold";
    case RateControlState::kIncrease:
      return "increase";
    case RateControlState::kDecrease:
      return "decrease";
  }
  return "?";
}

AimdRateControl::AimdRateControl(Config config) : config_(config) {
  config_.min_bps = std::max<int64_t>(config_.min_bps, 1);
  config_.max_bps = std::max(config_.max_bps, config_.min_bps);
  estimate_bps_ = std::clamp(config_.start_bps, config_.min_bps, config_.max_bps);
}

// The state table of 5.5: over-use always decreases; normal moves hold -> increase and
// decrease -> hold; under-use holds (the queue is draining, the rate is right).
void AimdRateControl::transition(BandwidthUsage usage) noexcept {
  switch (usage) {
    case BandwidthUsage::kOverusing:
      state_ = RateControlState::kDecrease;
      break;
    case BandwidthUsage::kNormal:
      if (state_ == RateControlState::kHold) state_ = RateControlState::kIncrease;
      if (state_ == RateControlState::kDecrease) state_ = RateControlState::kHold;
      break;
    case BandwidthUsage::kUnderusing:
      state_ = RateControlState::kHold;
      break;
  }
}

int64_t AimdRateControl::update(BandwidthUsage usage, std::optional<int64_t> acked_bps,
                                TimePoint now, std::chrono::milliseconds rtt) noexcept {
  double elapsed_ms = 0;
  if (last_update_ && now > *last_update_) {
    elapsed_ms = std::chrono::duration<double, std::milli>(now - *last_update_).count();
  }
  elapsed_ms = std::min(elapsed_ms, 1000.0);
  last_update_ = now;
  auto previous = state_;
  transition(usage);
  if (state_ == RateControlState::kIncrease) {
    estimate_bps_ = increased(acked_bps, elapsed_ms, rtt);
  } else if (state_ == RateControlState::kDecrease) {
    // One decrease per response time while over-use persists: the previous one has not been
    // seen by the queue yet.
    auto response = rtt + std::chrono::milliseconds{static_cast<int64_t>(kBaseResponseMs)};
    if (previous != RateControlState::kDecrease || !last_decrease_ ||
        now - *last_decrease_ >= response) {
      estimate_bps_ = decreased(acked_bps);
      last_decrease_ = now;
    }
  }
  estimate_bps_ = std::clamp(estimate_bps_, config_.min_bps, config_.max_bps);
  return estimate_bps_;
}

int64_t AimdRateControl::increased(std::optional<int64_t> acked_bps, double elapsed_ms,
                                   std::chrono::milliseconds rtt) noexcept {
  double current = static_cast<double>(estimate_bps_);
  if (decrease_avg_bps_ && acked_bps) {
    double sigma = *decrease_avg_bps_ * std::max(std::sqrt(decrease_var_), kMinRelativeDeviation);
    // Above the band: the link got better, forget where it used to be full.
    if (static_cast<double>(*acked_bps) > *decrease_avg_bps_ + 3 * sigma) {
      decrease_avg_bps_.reset();
      decrease_var_ = 0;
    }
  }
  near_convergence_ = decrease_avg_bps_.has_value();
  double next = current;
  if (near_convergence_) {
    // About one packet per response time: probe gently where the link was full before.
    double response_ms = kBaseResponseMs + static_cast<double>(rtt.count());
    double alpha = std::min(elapsed_ms / response_ms, 1.0);
    next += std::max(1000.0 * elapsed_ms / 1000.0, alpha * config_.expected_packet_bits);
  } else {
    next *= std::pow(config_.increase_per_second, elapsed_ms / 1000.0);
  }
  if (acked_bps) {
    double cap = config_.cap_factor * static_cast<double>(*acked_bps) +
                 static_cast<double>(config_.cap_extra_bps);
    // The cap stops increases; it does not by itself lower an estimate already above it.
    if (next > cap) next = std::max(cap, std::min(next, current));
  }
  return static_cast<int64_t>(next);
}

int64_t AimdRateControl::decreased(std::optional<int64_t> acked_bps) noexcept {
  double current = static_cast<double>(estimate_bps_);
  if (!acked_bps) return static_cast<int64_t>(config_.beta * current);
  double acked = static_cast<double>(*acked_bps);
  learn_decrease_rate(acked);
  double next = config_.beta * acked;
  // Never raise on over-use; nor cut below beta x what arrives: an estimate already under
  // the received rate (a queue draining, or cuts in a row) stays where it is. Compounding
  // beta x the estimate on every over-use took viewers that shared a link to half of what
  // they received, all without loss (draft-ietf-rmcat-gcc-02 5.5: A = beta x R).
  return static_cast<int64_t>(std::min(next, current));
}

void AimdRateControl::learn_decrease_rate(double acked_bps) noexcept {
  if (decrease_avg_bps_) {
    double sigma = *decrease_avg_bps_ * std::max(std::sqrt(decrease_var_), kMinRelativeDeviation);
    // Far below where the link used to be full: it changed, start learning afresh.
    if (acked_bps < *decrease_avg_bps_ - 3 * sigma) decrease_avg_bps_.reset();
  }
  if (!decrease_avg_bps_) {
    decrease_avg_bps_ = acked_bps;
    decrease_var_ = 0;
    return;
  }
  double avg = *decrease_avg_bps_;
  avg = (1 - kDecreaseAverageWeight) * avg + kDecreaseAverageWeight * acked_bps;
  double relative = (acked_bps - avg) / std::max(avg, 1.0);
  decrease_var_ =
      (1 - kDecreaseAverageWeight) * decrease_var_ + kDecreaseAverageWeight * relative * relative;
  decrease_avg_bps_ = avg;
}

}  // namespace webrtc::bwe
