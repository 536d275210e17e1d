#pragma once
// The receive side of transport-wide congestion control
// (draft-holmer-rmcat-transport-wide-cc-extensions-01), as a browser runs it: every packet's
// transport-wide sequence number and arrival time are recorded, and every 100 ms (sooner once
// 100 packets wait, Chromium's rules) one feedback packet reports the range from the first
// sequence number not yet reported to the highest seen, missing ones as not received. Packets
// behind that range arrive too late: they were reported lost and are dropped, as are ranges the
// bounded window cannot hold. All memory is reserved up front; nothing allocates per packet.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "webrtc/rtcp/transport_cc.hpp"

namespace bench::load_client {

class TransportFeedbackRecorder {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t Capacity = 4096;  // sequence numbers waiting at most (power of two)
  // Status entries per feedback: even as two-byte deltas and two-bit chunks they fit one
  // SRTCP datagram of 1500 bytes; a longer range goes out in several.
  static constexpr size_t MaxPerFeedback = 500;
  static constexpr std::chrono::milliseconds Interval{100};
  static constexpr size_t SendAfterPackets = 100;

  // `origin`: where this receiver's clock for reference times starts.
  explicit TransportFeedbackRecorder(TimePoint origin);

  void on_packet(uint16_t sequence, TimePoint arrival) noexcept;

  // When the next feedback is due: a time already past with 100 packets waiting, nullopt with
  // none waiting.
  std::optional<TimePoint> next_due() const noexcept;
  bool due(TimePoint now) const noexcept;

  // Builds the next feedback (RTPFB FMT 15, one RTCP packet) into `out` and returns its size:
  // 0 when nothing waits or `out` is too small.
  size_t write(uint32_t sender_ssrc, uint32_t media_ssrc, TimePoint now, std::span<uint8_t> out);

  uint64_t feedbacks_sent() const noexcept { return feedbacks_sent_; }
  uint64_t dropped() const noexcept { return dropped_; }  // late, duplicate or out of window
  size_t waiting() const noexcept { return waiting_; }

 private:
  static constexpr int64_t NotReceived = INT64_MIN;
  int64_t& slot(int64_t sequence) noexcept {
    return arrival_us_[static_cast<size_t>(sequence) & (Capacity - 1)];
  }
  void restart_at(int64_t sequence) noexcept;

  TimePoint origin_;
  std::vector<int64_t> arrival_us_;  // since origin_, by unwrapped sequence modulo Capacity
  std::vector<webrtc::rtcp::TransportCcPacket> packets_;  // one feedback's entries
  std::vector<uint8_t> bytes_;                            // one feedback's RTCP packet
  bool started_ = false;
  int64_t start_ = 0;    // unwrapped: the first sequence number not yet reported
  int64_t highest_ = 0;  // unwrapped: the highest seen
  size_t waiting_ = 0;   // received in [start_, highest_]
  TimePoint last_sent_;
  uint8_t feedback_count_ = 0;
  uint64_t feedbacks_sent_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace bench::load_client
