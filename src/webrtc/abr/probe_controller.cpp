#include "webrtc/abr/probe_controller.hpp"

#include <algorithm>
#include <limits>

namespace webrtc::abr {

ProbeController::ProbeController(Config config)
    : config_(config), backoff_(config.initial_backoff) {}

std::optional<ProbeRequest> ProbeController::on_estimate(int64_t estimate_bps, int64_t rung_up_bps,
                                                         TimePoint now) noexcept {
  if (in_flight_ && now >= in_flight_->deadline) fail(now);
  if (estimate_bps <= 0) return std::nullopt;  // unknown: nothing to scale a probe by
  last_estimate_bps_ = estimate_bps;
  if (in_flight_ || rung_up_bps <= 0) return std::nullopt;

  if (retry_at_) {
    // A failure is stale once the estimate has grown a lot since (the link got better) or
    // the rung wanted is an easier one. A falling estimate does not reset it: that is often
    // the failed probe's own queue showing, and probing again at once would hammer the link.
    auto rise = static_cast<double>(estimate_bps - estimate_at_failure_) /
                static_cast<double>(std::max<int64_t>(estimate_at_failure_, 1));
    if (rise >= config_.reset_backoff_rise || rung_up_bps < rung_at_failure_) {
      retry_at_.reset();
      backoff_ = config_.initial_backoff;
    } else if (now < *retry_at_) {
      return std::nullopt;
    }
  }
  auto estimate = static_cast<double>(estimate_bps);
  auto rung = static_cast<double>(rung_up_bps);
  if (rung <= estimate * config_.fits_without_probe) return std::nullopt;
  double cap = estimate * config_.cap_ratio;
  if (rung / config_.success_headroom > cap) return std::nullopt;  // too far: could not show it
  if (rung_up_bps == rung_at_success_ && now - success_at_ < config_.repeat_success_after) {
    return std::nullopt;
  }
  auto target = static_cast<int64_t>(std::min(rung * config_.target_ratio, cap));
  int cluster = next_cluster_;
  next_cluster_ = next_cluster_ == std::numeric_limits<int>::max() ? 0 : next_cluster_ + 1;
  in_flight_ = InFlight{cluster, rung_up_bps, now + config_.duration + config_.result_timeout};
  ++probes_;
  return ProbeRequest{cluster, target, config_.duration};
}

bool ProbeController::on_probe_result(int cluster, std::optional<int64_t> measured_bps,
                                      TimePoint now) noexcept {
  if (!in_flight_ || in_flight_->cluster != cluster) return false;  // stale or unknown
  bool success = measured_bps && *measured_bps > 0 &&
                 static_cast<double>(in_flight_->rung_bps) <=
                     static_cast<double>(*measured_bps) * config_.success_headroom;
  if (!success) {
    fail(now);
    return false;
  }
  ++successes_;
  rung_at_success_ = in_flight_->rung_bps;
  success_at_ = now;
  retry_at_.reset();
  backoff_ = config_.initial_backoff;
  in_flight_.reset();
  return true;
}

// Waits `backoff_` before the next probe, then doubles it: a link that failed a probe is
// likely to fail the next one, and each failure costs the viewer a burst of queueing.
void ProbeController::fail(TimePoint now) noexcept {
  ++failures_;
  rung_at_failure_ = in_flight_ ? in_flight_->rung_bps : 0;
  in_flight_.reset();
  estimate_at_failure_ = last_estimate_bps_;
  retry_at_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, config_.max_backoff);
}

}  // namespace webrtc::abr
