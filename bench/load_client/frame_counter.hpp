#pragma once
// Counts whole video frames without depacketizing: a frame ends at the RTP marker bit (RFC 6184
// 5.1: the last packet of an access unit) and is whole when no sequence number was skipped
// since the previous frame ended. Packets arriving late (behind the newest) are ignored here:
// a repaired packet is too late for a player without a jitter buffer anyway.
#include <cstdint>

namespace bench::load_client {

class FrameCounter {
 public:
  // `count`: whether a frame ending with this packet goes into the totals (the measurement
  // window); frames ending outside it only reset the state. `arrival_ms` is the receive time
  // on any millisecond clock; `timestamp` the RTP timestamp (90 kHz, RFC 6184 8.2.1).
  // Returns true when this packet completed a whole frame that was counted.
  bool on_packet(uint16_t seq, bool marker, bool count, uint32_t timestamp = 0,
                 double arrival_ms = 0) noexcept;
  // How much later than its earliest (relative to the media clock) the last counted frame
  // arrived: a viewer or sender falling behind real time shows a growing lag.
  double lag_ms() const noexcept { return last_transit_ms_ - min_transit_ms_; }

  uint64_t whole_frames() const noexcept { return whole_; }
  uint64_t broken_frames() const noexcept { return broken_frames_; }

 private:
  bool started_ = false;
  bool broken_ = true;  // the first frame's start is unknown until a marker is seen
  uint16_t next_seq_ = 0;
  uint64_t whole_ = 0;
  uint64_t broken_frames_ = 0;
  bool have_transit_ = false;
  double media_ms_ = 0;  // media time of the last counted frame since the first, unwrapped
  uint32_t last_timestamp_ = 0;
  double min_transit_ms_ = 0;
  double last_transit_ms_ = 0;
};

}  // namespace bench::load_client
