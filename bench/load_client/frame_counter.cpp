#include "load_client/frame_counter.hpp"

namespace bench::load_client {

bool FrameCounter::on_packet(uint16_t seq, bool marker, bool count, uint32_t timestamp,
                             double arrival_ms) noexcept {
  if (started_) {
    const auto ahead = static_cast<uint16_t>(seq - next_seq_);
    if (ahead >= 0x8000) return false;  // late or duplicate
    if (ahead != 0) broken_ = true;
  }
  started_ = true;
  next_seq_ = static_cast<uint16_t>(seq + 1);
  if (!marker) return false;
  bool whole = false;
  if (count) {
    // Transit = arrival - media time; RTP timestamps unwrap by their signed difference.
    if (!have_transit_) {
      have_transit_ = true;
      last_timestamp_ = timestamp;
      min_transit_ms_ = last_transit_ms_ = arrival_ms;
    } else {
      media_ms_ += static_cast<int32_t>(timestamp - last_timestamp_) / 90.0;
      last_timestamp_ = timestamp;
      last_transit_ms_ = arrival_ms - media_ms_;
      if (last_transit_ms_ < min_transit_ms_) min_transit_ms_ = last_transit_ms_;
    }
    if (broken_) {
      ++broken_frames_;
    } else {
      ++whole_;
      whole = true;
    }
  }
  broken_ = false;
  return whole;
}

}  // namespace bench::load_client
