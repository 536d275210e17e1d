#pragma once
// Turns transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1) into
// PacketResults for the BandwidthEstimator: 16-bit sequence numbers unwrapped to the sender's
// int64 numbering, 24-bit reference times unwrapped, deltas summed into receive times.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "webrtc/bwe/packet_result.hpp"
#include "webrtc/rtcp/transport_cc.hpp"

namespace webrtc::bwe {

class TransportFeedbackAdapter {
 public:
  // Feedback reporting more packets is dropped as malformed: it bounds the two buffers, which
  // grow to the largest feedback seen and are reused after (Chromium reports ~5-100 per 50 ms).
  static constexpr size_t DefaultMaxPackets = 4096;

  explicit TransportFeedbackAdapter(size_t max_packets = DefaultMaxPackets)
      : max_packets_(max_packets) {}

  // One parsed feedback -> results in sequence order. Sequence numbers are unwrapped relative
  // to the highest seen so far (the first feedback's base counts from 0..65535); receive times
  // are reference time x 64 ms plus the running sum of deltas, on one timeline across
  // feedbacks; lost packets have no receive time; send time and size stay default for the
  // estimator to fill. Empty for malformed or duplicate (repeated feedback count) feedback.
  // The span lives until the next call.
  std::span<const PacketResult> on_feedback(const rtcp::TransportCc& fb) noexcept;

  uint64_t feedbacks() const noexcept { return feedbacks_; }  // turned into results
  uint64_t malformed() const noexcept { return malformed_; }  // undecodable or too many packets
  uint64_t duplicates() const noexcept { return duplicates_; }

 private:
  int64_t unwrap_sequence(uint16_t sequence) const noexcept;
  int64_t unwrap_reference_time(int32_t reference_time) const noexcept;

  size_t max_packets_;
  std::vector<rtcp::TransportCcPacket> decoded_;  // scratch, reused per feedback
  std::vector<PacketResult> results_;             // returned, reused per feedback
  std::optional<int64_t> highest_sequence_;
  std::optional<int64_t> reference_time_;  // unwrapped, 64 ms units
  std::optional<uint8_t> last_feedback_count_;
  uint64_t feedbacks_ = 0;
  uint64_t malformed_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace webrtc::bwe
