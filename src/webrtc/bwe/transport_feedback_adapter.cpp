#include "webrtc/bwe/transport_feedback_adapter.hpp"

namespace webrtc::bwe {

int64_t TransportFeedbackAdapter::unwrap_sequence(uint16_t sequence) const noexcept {
  if (!highest_sequence_) return sequence;
  // The shortest way round the 16-bit circle from the highest seen: forward up to 32767,
  // backward (a late or reordered report) up to 32768.
  const auto diff = static_cast<int16_t>(
      static_cast<uint16_t>(sequence - static_cast<uint16_t>(*highest_sequence_)));
  return *highest_sequence_ + diff;
}

int64_t TransportFeedbackAdapter::unwrap_reference_time(int32_t reference_time) const noexcept {
  if (!reference_time_) return reference_time;
  // 3.1: 24 bits of 64 ms wrap every ~12 days of receiver clock; Chromium lets them wrap.
  // Difference from the previous one taken as a signed 24-bit number.
  const uint32_t diff = static_cast<uint32_t>(reference_time - *reference_time_) & 0xFFFFFF;
  const int64_t signed_diff = (diff & 0x800000) ? int64_t{diff} - 0x1000000 : int64_t{diff};
  return *reference_time_ + signed_diff;
}

std::span<const PacketResult> TransportFeedbackAdapter::on_feedback(
    const rtcp::TransportCc& fb) noexcept {
  if (last_feedback_count_ == fb.feedback_count) {
    ++duplicates_;
    return {};
  }
  const size_t count = fb.packet_status_count;
  if (count > max_packets_) {
    ++malformed_;
    return {};
  }
  // resize never allocates once the buffers have grown to this size.
  decoded_.resize(count);
  if (!fb.decode(decoded_)) {
    ++malformed_;
    return {};
  }
  last_feedback_count_ = fb.feedback_count;
  ++feedbacks_;
  const int64_t base = unwrap_sequence(fb.base_sequence);
  reference_time_ = unwrap_reference_time(fb.reference_time);
  int64_t receive_us = *reference_time_ * rtcp::TransportCc::ReferenceTimeUnitUs;
  results_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    PacketResult& r = results_[i];
    r = PacketResult{};
    r.sequence = base + static_cast<int64_t>(i);
    if (decoded_[i].received) {
      receive_us += decoded_[i].delta_us;
      r.receive_time = RemoteTime{receive_us};
    }
  }
  if (count > 0) {
    const int64_t last = base + static_cast<int64_t>(count) - 1;
    if (!highest_sequence_ || last > *highest_sequence_) highest_sequence_ = last;
  }
  return results_;
}

}  // namespace webrtc::bwe
