#pragma once
// Reception statistics of one RTP source as RFC 3550 Appendix A defines them: extended
// highest sequence number with cycles (A.1), expected and lost counts, the interval fraction
// lost (A.3), interarrival jitter (A.8), and LSR/DLSR from the last sender report (6.4.1).
// Sans-I/O: arrival times come in as `now`.
#include <chrono>
#include <cstdint>
#include <optional>

#include "webrtc/rtcp/report_block.hpp"

namespace tools::whep_client {

class RtpStreamStats {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // RFC 3550 A.1 suggests 3000 and 100. A NACK-repaired packet arrives one RTT late, which at
  // 8-10 Mbit/s (about 1,000 packets/s) is well over 100 packets, so late packets are accepted
  // up to 1,000 behind; only a bigger backward jump is taken for a restart.
  static constexpr uint32_t MaxDropout = 3000;
  static constexpr uint32_t MaxMisorder = 1000;

  RtpStreamStats(uint32_t ssrc, uint32_t clock_rate) noexcept
      : ssrc_(ssrc), clock_rate_(clock_rate) {}

  // Returns false when the packet was judged a stray (a large jump not yet confirmed by the
  // next packet, RFC 3550 A.1); it is not counted then.
  bool on_packet(uint16_t seq, uint32_t rtp_timestamp, TimePoint now) noexcept;
  // `ntp` is the SR's 64-bit NTP timestamp.
  void on_sender_report(uint64_t ntp, TimePoint now) noexcept;

  // Report block for an RR; moves the interval used for fraction lost (A.3).
  webrtc::rtcp::ReportBlock make_report_block(TimePoint now) noexcept;

  uint32_t ssrc() const noexcept { return ssrc_; }
  uint64_t received() const noexcept { return received_; }
  uint32_t extended_highest() const noexcept { return cycles_ + max_seq_; }
  uint64_t expected() const noexcept;
  // expected - received, never negative (duplicates can exceed expected, RFC 3550 6.4.1).
  uint64_t lost() const noexcept;
  uint32_t jitter() const noexcept { return static_cast<uint32_t>(jitter_ >> 4); }

 private:
  void init(uint16_t seq) noexcept;
  void update_jitter(uint32_t rtp_timestamp, TimePoint now) noexcept;

  uint32_t ssrc_;
  uint32_t clock_rate_;
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;  // shifted count of wraps
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 0x10001;  // RTP_SEQ_MOD + 1: no stray pending
  uint64_t received_ = 0;
  uint64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;
  // A.8 keeps jitter scaled by 16 to avoid rounding.
  uint32_t jitter_ = 0;
  std::optional<int64_t> last_transit_;
  TimePoint epoch_{};
  uint32_t last_sr_ = 0;
  std::optional<TimePoint> last_sr_at_;
};

}  // namespace tools::whep_client
