#include "webrtc/send_side_bandwidth.hpp"

namespace webrtc {

SendSideBandwidth::SendSideBandwidth(const bwe::BandwidthEstimator::Config& config)
    : estimator_(config) {}

void SendSideBandwidth::on_rtp_sent(int64_t sequence, size_t bytes, int probe_cluster,
                                    TimePoint now) {
  estimator_.on_packet_sent(sequence, bytes, now);
  recent_.on_sent(sequence, bytes);
  if (probe_cluster >= 0) probes_.on_probe_sent(sequence, probe_cluster, bytes, now);
}

void SendSideBandwidth::on_transport_cc(const rtcp::TransportCc& feedback, TimePoint now) {
  const auto results = adapter_.on_feedback(feedback);
  if (results.empty()) return;
  estimator_.on_feedback(results, now);
  recent_.on_feedback(results);
  if (auto measured = probes_.on_feedback(results)) {
    estimator_.on_probe_result(measured->bps);
    probe_ = ProbeResult{measured->cluster, measured->bps};
    ++probes_measured_;
  }
  updated_ = true;
}

void SendSideBandwidth::on_remb(int64_t bps, TimePoint now) {
  estimator_.on_remb(bps, now);
  updated_ = true;
}

SendSideBandwidthStats SendSideBandwidth::stats() const noexcept {
  const auto s = estimator_.state();
  SendSideBandwidthStats out;
  out.estimate_bps = s.estimate_bps;
  out.acked_bps = s.acked_bps;
  out.remb_bps = s.remb_bps;
  out.loss_fraction = s.loss_fraction;
  out.feedbacks = s.feedbacks;
  out.malformed_feedbacks = adapter_.malformed();
  out.probes_measured = probes_measured_;
  out.recent = recent_.last();
  return out;
}

}  // namespace webrtc
