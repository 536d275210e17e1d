#include "load_client/transport_feedback_recorder.hpp"

#include <algorithm>
#include <cstring>

#include "webrtc/rtcp/transport_cc_writer.hpp"

namespace bench::load_client {

namespace {

constexpr size_t MaxFeedbackBytes = 1500;

// Floor division: arrival times before the origin give negative reference times.
int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

TransportFeedbackRecorder::TransportFeedbackRecorder(TimePoint origin)
    : origin_(origin), arrival_us_(Capacity, NotReceived), last_sent_(origin) {
  packets_.reserve(MaxPerFeedback);
  bytes_.reserve(MaxFeedbackBytes);
}

void TransportFeedbackRecorder::restart_at(int64_t sequence) noexcept {
  dropped_ += waiting_;
  waiting_ = 0;
  start_ = highest_ = sequence;
  slot(sequence) = NotReceived;
}

void TransportFeedbackRecorder::on_packet(uint16_t sequence, TimePoint arrival) noexcept {
  if (!started_) {
    started_ = true;
    restart_at(sequence);
  }
  // Unwrap around the highest seen: the nearest of the 16-bit aliases (RFC 3550 A.1 style).
  const int64_t seq =
      highest_ +
      static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(highest_)));
  if (seq < start_) {
    ++dropped_;  // already reported as lost
    return;
  }
  if (seq - start_ >= static_cast<int64_t>(Capacity)) {
    restart_at(seq);  // a jump the window cannot span: what waits is given up
  } else {
    for (int64_t s = highest_ + 1; s <= seq; ++s)  // slots last used Capacity numbers ago
      slot(s) = NotReceived;
  }
  if (seq > highest_) {
    highest_ = seq;
  }
  int64_t& at = slot(seq);
  if (at != NotReceived) {
    ++dropped_;  // duplicate: the first arrival counts
    return;
  }
  at = std::chrono::duration_cast<std::chrono::microseconds>(arrival - origin_).count();
  ++waiting_;
}

std::optional<TransportFeedbackRecorder::TimePoint> TransportFeedbackRecorder::next_due()
    const noexcept {
  if (waiting_ == 0) return std::nullopt;
  if (waiting_ >= SendAfterPackets) return TimePoint::min();
  return last_sent_ + Interval;
}

bool TransportFeedbackRecorder::due(TimePoint now) const noexcept {
  const auto at = next_due();
  return at && *at <= now;
}

size_t TransportFeedbackRecorder::write(uint32_t sender_ssrc, uint32_t media_ssrc, TimePoint now,
                                        std::span<uint8_t> out) {
  if (waiting_ == 0) return 0;
  const int64_t end = std::min(highest_, start_ + static_cast<int64_t>(MaxPerFeedback) - 1);
  // 3.1: the reference time is the first received packet's arrival, floored to 64 ms; its
  // delta is from there, every later one from the previous received packet.
  int64_t first_us = NotReceived;
  for (int64_t s = start_; s <= end && first_us == NotReceived; ++s)
    first_us = slot(s);
  const int64_t reference =
      first_us == NotReceived
          ? floor_div(std::chrono::duration_cast<std::chrono::microseconds>(now - origin_).count(),
                      webrtc::rtcp::TransportCc::ReferenceTimeUnitUs)
          : floor_div(first_us, webrtc::rtcp::TransportCc::ReferenceTimeUnitUs);
  int64_t previous_us = reference * webrtc::rtcp::TransportCc::ReferenceTimeUnitUs;
  packets_.clear();
  size_t received = 0;
  for (int64_t s = start_; s <= end; ++s) {
    webrtc::rtcp::TransportCcPacket p;
    p.sequence = static_cast<uint16_t>(s);
    const int64_t at = slot(s);
    if (at != NotReceived) {
      p.received = true;
      p.delta_us =
          static_cast<int32_t>(std::clamp<int64_t>(at - previous_us, INT32_MIN, INT32_MAX));
      previous_us = at;
      ++received;
    }
    packets_.push_back(p);
  }
  const webrtc::rtcp::TransportCcHeader header{.sender_ssrc = sender_ssrc,
                                               .media_ssrc = media_ssrc,
                                               .base_sequence = static_cast<uint16_t>(start_),
                                               .reference_time = static_cast<int32_t>(reference),
                                               .feedback_count = feedback_count_};
  bytes_.clear();
  const bool built = webrtc::rtcp::build_transport_cc(header, packets_, bytes_);
  // Reported or not (a delta beyond 8 s after a stall cannot be written), the range is done:
  // the window stays bounded.
  start_ = end + 1;
  waiting_ -= received;
  last_sent_ = now;
  if (!built || bytes_.size() > out.size()) {
    dropped_ += received;
    return 0;
  }
  std::memcpy(out.data(), bytes_.data(), bytes_.size());
  ++feedback_count_;
  ++feedbacks_sent_;
  return bytes_.size();
}

}  // namespace bench::load_client
