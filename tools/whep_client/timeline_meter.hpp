#pragma once
// How one track's RTP timeline moves against real time, for a publisher restart: the longest
// pause between packets as they arrive and the RTP time that passed across it (a sender that
// advances its timestamps by the real time shows both equal), and how far the mapping of RTP
// time to NTP time in the sender reports wanders (RFC 3550 6.4.1: it should not, beyond the
// clocks' drift). Sans-I/O: packets, reports and `now` in.
#include <chrono>
#include <cstdint>
#include <optional>

namespace tools::whep_client {

struct TimelineResult {
  double max_gap_ms = 0;    // longest arrival gap between packets of two timestamps
  double ts_step_ms = 0;    // RTP time between those two packets
  double sr_spread_ms = 0;  // max - min of (SR NTP time - SR RTP time), over all reports
  uint64_t reports = 0;
};

class TimelineMeter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit TimelineMeter(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // Each packet once (no retransmissions), in arrival order.
  void on_packet(uint32_t rtp_timestamp, TimePoint now) noexcept;
  // `ntp`: the SR's 64-bit NTP timestamp; counted once a packet gave the timeline a base.
  void on_sender_report(uint64_t ntp, uint32_t rtp_timestamp) noexcept;
  std::optional<TimelineResult> result() const noexcept;

 private:
  double ms(int64_t ticks) const noexcept {
    return static_cast<double>(ticks) * 1000.0 / clock_rate_;
  }

  uint32_t clock_rate_;
  bool have_packet_ = false;
  uint32_t last_raw_ = 0;
  int64_t last_ticks_ = 0;  // unwrapped, from the first packet
  TimePoint last_at_{};
  TimelineResult result_;
  bool have_report_ = false;
  double min_offset_ms_ = 0;
  double max_offset_ms_ = 0;
};

}  // namespace tools::whep_client
