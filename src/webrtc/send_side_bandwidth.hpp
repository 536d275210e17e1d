#pragma once
// The bandwidth estimation stage of one viewer's session: what left (from the transport-wide
// sequencer) meets what the browser says arrived (transport-cc feedback, or REMB from a
// receiver that only sends that), giving the send-side estimate (bwe::BandwidthEstimator) and
// the rates that probe clusters measured. Sans-I/O; PeerSession owns it and routes to it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

#include "webrtc/abr/probe_bitrate_estimator.hpp"
#include "webrtc/bwe/bandwidth_estimator.hpp"
#include "webrtc/bwe/recent_delivery.hpp"
#include "webrtc/bwe/transport_feedback_adapter.hpp"
#include "webrtc/rtcp/transport_cc.hpp"
#include "webrtc/transport_sequencer.hpp"

namespace webrtc {

struct ProbeResult {
  int cluster = -1;
  int64_t bps = 0;
};

struct SendSideBandwidthStats {
  int64_t estimate_bps = 0;
  std::optional<int64_t> acked_bps;
  std::optional<int64_t> remb_bps;
  double loss_fraction = 0;
  uint64_t feedbacks = 0;
  uint64_t malformed_feedbacks = 0;
  uint64_t probes_measured = 0;
  std::optional<bwe::Delivery> recent;  // the last ~150 ms of feedback
};

class SendSideBandwidth final : public SentPacketListener {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit SendSideBandwidth(const bwe::BandwidthEstimator::Config& config);

  void on_rtp_sent(int64_t sequence, size_t bytes, int probe_cluster, TimePoint now) override;
  void on_transport_cc(const rtcp::TransportCc& feedback, TimePoint now);
  void on_remb(int64_t bps, TimePoint now);

  int64_t estimate_bps() const noexcept { return estimator_.estimate_bps(); }
  // True once after each feedback that may have moved the estimate.
  bool take_update() noexcept { return std::exchange(updated_, false); }
  // The newest probe cluster's measured rate, once.
  std::optional<ProbeResult> take_probe_result() noexcept { return std::exchange(probe_, {}); }
  SendSideBandwidthStats stats() const noexcept;

 private:
  bwe::BandwidthEstimator estimator_;
  bwe::TransportFeedbackAdapter adapter_;
  abr::ProbeBitrateEstimator probes_;
  bwe::RecentDelivery recent_;
  bool updated_ = false;
  std::optional<ProbeResult> probe_;
  uint64_t probes_measured_ = 0;
};

}  // namespace webrtc
