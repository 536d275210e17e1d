#include "webrtc/bwe/bandwidth_estimator.hpp"

#include <algorithm>

namespace webrtc::bwe {

namespace {

AimdRateControl::Config aimd_config(const BandwidthEstimator::Config& c) {
  auto aimd = c.aimd;
  aimd.start_bps = c.start_bps;
  aimd.min_bps = c.min_bps;
  aimd.max_bps = c.max_bps;
  return aimd;
}

LossBasedControl::Config loss_config(const BandwidthEstimator::Config& c) {
  auto loss = c.loss;
  loss.start_bps = c.start_bps;
  loss.min_bps = c.min_bps;
  loss.max_bps = c.max_bps;
  return loss;
}

}  // namespace

BandwidthEstimator::BandwidthEstimator(Config config)
    : config_(config),
      sent_(std::max<size_t>(config.history, 16)),
      trendline_(config.trendline),
      detector_(config.detector),
      acknowledged_(std::max<size_t>(config.history, 16)),
      delay_based_(aimd_config(config)),
      loss_based_(loss_config(config)) {
  received_.reserve(sent_.size());
}

void BandwidthEstimator::on_packet_sent(int64_t sequence, size_t bytes,
                                        TimePoint send_time) noexcept {
  if (sequence < 0) return;
  sent_[static_cast<size_t>(sequence) % sent_.size()] =
      SentPacket{sequence, send_time, bytes, Status::kInFlight};
}

std::optional<PacketResult> BandwidthEstimator::resolve(const PacketResult& result,
                                                        Counts& counts) noexcept {
  if (result.sequence < 0) return std::nullopt;
  auto& slot = sent_[static_cast<size_t>(result.sequence) % sent_.size()];
  PacketResult resolved = result;
  if (slot.sequence != result.sequence) {
    // Not (or no longer) remembered: usable only if the feedback carries what it needs.
    if (result.send_time == TimePoint{}) return std::nullopt;
    if (!result.received()) {
      ++counts.lost;
      return std::nullopt;
    }
    ++counts.received;
    return resolved;
  }
  if (resolved.send_time == TimePoint{}) resolved.send_time = slot.send_time;
  if (resolved.size == 0) resolved.size = slot.bytes;
  if (!result.received()) {
    if (slot.status == Status::kInFlight) {
      slot.status = Status::kLost;
      ++counts.lost;
    }
    return std::nullopt;
  }
  if (slot.status == Status::kReceived) return std::nullopt;  // reported twice
  ++(slot.status == Status::kLost ? counts.recovered : counts.received);
  slot.status = Status::kReceived;
  return resolved;
}

void BandwidthEstimator::on_feedback(std::span<const PacketResult> results,
                                     TimePoint now) noexcept {
  Counts counts;
  received_.clear();
  // More results than packets remembered cannot all be matched: the rest are dropped.
  size_t usable = std::min(results.size(), received_.capacity());
  ignored_results_ += results.size() - usable;
  for (const auto& result : results.first(usable)) {
    auto resolved = resolve(result, counts);
    if (resolved) {
      received_.push_back(*resolved);
    } else if (result.received()) {
      ++ignored_results_;
    }
  }
  ++feedbacks_;
  // Groups are formed in send order; one feedback may list packets out of it.
  std::sort(received_.begin(), received_.end(), [](const auto& a, const auto& b) {
    return a.send_time != b.send_time ? a.send_time < b.send_time : a.sequence < b.sequence;
  });
  if (!received_.empty()) {
    auto usage = run_delay_filters();
    update_rtt(now);
    delay_based_.update(usage, acknowledged_.bitrate_bps(), now, rtt_);
  }
  loss_based_.on_feedback(counts.lost, counts.received, counts.recovered,
                          acknowledged_.bitrate_bps(), now);
}

// Feeds the received packets through grouping, trendline and detector. Over-use signalled
// anywhere in this feedback counts, even if the last group looked normal. An over-use still
// above the threshold but no longer growing is the queue draining after a cut that has not
// shown yet: that holds the rate (as under-use does) instead of cutting again.
BandwidthUsage BandwidthEstimator::run_delay_filters() noexcept {
  auto signals_before = detector_.overuse_signals();
  for (const auto& packet : received_) {
    acknowledged_.add(*packet.receive_time, packet.size);
    auto delta = inter_arrival_.add(packet.send_time, *packet.receive_time);
    if (!delta) continue;
    detector_.detect(trendline_.update(*delta), delta->send_delta_ms);
  }
  if (detector_.overuse_signals() != signals_before) return BandwidthUsage::kOverusing;
  if (detector_.state() == BandwidthUsage::kOverusing) return BandwidthUsage::kUnderusing;
  return detector_.state();
}

// The newest acknowledged packet went out one round trip (plus the receiver's feedback
// interval, which the response time is meant to cover anyway) before now.
void BandwidthEstimator::update_rtt(TimePoint now) noexcept {
  auto newest = received_.back().send_time;
  if (newest >= now) return;
  auto sample = std::chrono::duration_cast<std::chrono::milliseconds>(now - newest);
  sample = std::clamp(sample, std::chrono::milliseconds{1}, std::chrono::milliseconds{2000});
  rtt_ = (rtt_ * 7 + sample) / 8;
}

void BandwidthEstimator::on_remb(int64_t bps, TimePoint) noexcept {
  if (bps <= 0) return;
  remb_bps_ = bps;
}

void BandwidthEstimator::on_probe_result(int64_t bps) noexcept {
  if (bps <= 0) return;
  delay_based_.raise_to(bps);
  loss_based_.raise_to(bps);
}

int64_t BandwidthEstimator::estimate_bps() const noexcept {
  int64_t estimate = config_.start_bps;
  if (feedbacks_ > 0) {
    estimate = std::min(delay_based_.estimate_bps(), loss_based_.estimate_bps());
    if (remb_bps_) estimate = std::min(estimate, *remb_bps_);
  } else if (remb_bps_) {
    estimate = *remb_bps_;
  }
  return std::clamp(estimate, std::max<int64_t>(config_.min_bps, 1),
                    std::max(config_.max_bps, config_.min_bps));
}

BandwidthEstimator::State BandwidthEstimator::state() const noexcept {
  State s;
  s.estimate_bps = estimate_bps();
  s.delay_based_bps = delay_based_.estimate_bps();
  s.loss_based_bps = loss_based_.estimate_bps();
  s.acked_bps = acknowledged_.bitrate_bps();
  s.remb_bps = remb_bps_;
  s.usage = detector_.state();
  s.rate_control = delay_based_.state();
  s.loss_fraction = loss_based_.loss_fraction();
  s.trend_ms = trendline_.trend_ms();
  s.threshold_ms = detector_.threshold_ms();
  s.rtt = rtt_;
  s.feedbacks = feedbacks_;
  s.ignored_results = ignored_results_ + inter_arrival_.ignored();
  return s;
}

}  // namespace webrtc::bwe
