#include "whep_client/timeline_meter.hpp"

#include <algorithm>

namespace tools::whep_client {

void TimelineMeter::on_packet(uint32_t rtp_timestamp, TimePoint now) noexcept {
  if (!have_packet_) {
    have_packet_ = true;
    last_raw_ = rtp_timestamp;
    last_at_ = now;
    return;
  }
  // Wrap-aware (RFC 3550 A.1 style): steps under 2^31 ticks are forward.
  const int64_t step = static_cast<int32_t>(rtp_timestamp - last_raw_);
  const double gap = std::chrono::duration<double, std::milli>(now - last_at_).count();
  last_at_ = now;
  if (step <= 0) return;  // same frame, or late: only forward steps start after a pause
  if (gap > result_.max_gap_ms) {
    result_.max_gap_ms = gap;
    result_.ts_step_ms = ms(step);
  }
  last_raw_ = rtp_timestamp;
  last_ticks_ += step;
}

void TimelineMeter::on_sender_report(uint64_t ntp, uint32_t rtp_timestamp) noexcept {
  if (!have_packet_) return;
  const int64_t ticks = last_ticks_ + static_cast<int32_t>(rtp_timestamp - last_raw_);
  const double ntp_ms = static_cast<double>(ntp >> 32) * 1000.0 +
                        static_cast<double>(ntp & 0xFFFFFFFFu) * 1000.0 / 4294967296.0;
  const double offset = ntp_ms - ms(ticks);
  min_offset_ms_ = have_report_ ? std::min(min_offset_ms_, offset) : offset;
  max_offset_ms_ = have_report_ ? std::max(max_offset_ms_, offset) : offset;
  have_report_ = true;
  ++result_.reports;
  result_.sr_spread_ms = max_offset_ms_ - min_offset_ms_;
}

std::optional<TimelineResult> TimelineMeter::result() const noexcept {
  if (!have_packet_) return std::nullopt;
  return result_;
}

}  // namespace tools::whep_client
