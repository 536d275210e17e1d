#include "whep_client/rtp_stream_stats.hpp"

#include <algorithm>
#include <cstdlib>

namespace tools::whep_client {

void RtpStreamStats::init(uint16_t seq) noexcept {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = 0x10001;
  cycles_ = 0;
  received_ = 0;
  expected_prior_ = 0;
  received_prior_ = 0;
}

// RFC 3550 A.1 update_seq without the probation phase: our sources are known from signaling.
bool RtpStreamStats::on_packet(uint16_t seq, uint32_t rtp_timestamp, TimePoint now) noexcept {
  if (!started_) {
    started_ = true;
    epoch_ = now;
    init(seq);
  } else {
    const uint16_t udelta = static_cast<uint16_t>(seq - max_seq_);
    if (udelta < MaxDropout) {
      if (seq < max_seq_) cycles_ += 0x10000;  // in order with a wrap
      max_seq_ = seq;
    } else if (udelta <= 0x10000 - MaxMisorder) {
      // A large jump: believe it only if the next packet follows it (the source restarted).
      if (seq == bad_seq_) {
        init(seq);
      } else {
        bad_seq_ = (seq + 1u) & 0xFFFFu;
        return false;
      }
    }
    // else: duplicate or reordered, counted as received below
  }
  ++received_;
  update_jitter(rtp_timestamp, now);
  return true;
}

void RtpStreamStats::update_jitter(uint32_t rtp_timestamp, TimePoint now) noexcept {
  // RFC 3550 A.8: arrival time in RTP units; the offset cancels in the difference.
  const auto since = std::chrono::duration_cast<std::chrono::microseconds>(now - epoch_).count();
  const int64_t arrival = since * static_cast<int64_t>(clock_rate_) / 1'000'000;
  const int64_t transit = arrival - static_cast<int64_t>(rtp_timestamp);
  if (last_transit_) {
    // Timestamps are 32-bit and wrap; compare modulo 2^32.
    int64_t d = static_cast<int32_t>(static_cast<uint32_t>(transit - *last_transit_));
    // Bounded so that the scaled sum stays within 32 bits even across a source restart.
    d = std::min<int64_t>(std::llabs(d), int64_t{1} << 26);
    jitter_ += static_cast<uint32_t>(d) - ((jitter_ + 8) >> 4);
  }
  last_transit_ = transit;
}

uint64_t RtpStreamStats::expected() const noexcept {
  if (!started_) return 0;
  return uint64_t{extended_highest()} - base_seq_ + 1;
}

uint64_t RtpStreamStats::lost() const noexcept {
  const uint64_t e = expected();
  return e > received_ ? e - received_ : 0;
}

void RtpStreamStats::on_sender_report(uint64_t ntp, TimePoint now) noexcept {
  last_sr_ = static_cast<uint32_t>(ntp >> 16);  // middle 32 bits (RFC 3550 6.4.1 LSR)
  last_sr_at_ = now;
}

webrtc::rtcp::ReportBlock RtpStreamStats::make_report_block(TimePoint now) noexcept {
  webrtc::rtcp::ReportBlock b;
  b.ssrc = ssrc_;
  const uint64_t expected_now = expected();
  const uint64_t expected_interval = expected_now - expected_prior_;
  const uint64_t received_interval = received_ - received_prior_;
  expected_prior_ = expected_now;
  received_prior_ = received_;
  // RFC 3550 A.3: fraction of the interval's expected packets that were lost, in 1/256.
  if (expected_interval > 0 && expected_interval > received_interval) {
    b.fraction_lost =
        static_cast<uint8_t>(((expected_interval - received_interval) << 8) / expected_interval);
  }
  const int64_t cumulative = static_cast<int64_t>(expected_now) - static_cast<int64_t>(received_);
  b.cumulative_lost = static_cast<int32_t>(
      std::clamp<int64_t>(cumulative, webrtc::rtcp::ReportBlock::MinCumulativeLost,
                          webrtc::rtcp::ReportBlock::MaxCumulativeLost));
  b.extended_highest_seq = extended_highest();
  b.jitter = jitter();
  if (last_sr_at_) {
    b.last_sr = last_sr_;
    const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(now - *last_sr_at_);
    b.delay_since_last_sr = static_cast<uint32_t>(delay.count() * 65536 / 1'000'000);
  }
  return b;
}

}  // namespace tools::whep_client
