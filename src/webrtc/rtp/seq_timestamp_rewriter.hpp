#pragma once
// Per-viewer mapping from the stream's RTP sequence numbers and timestamps into the viewer's
// own space, which starts at random values (RFC 3550 5.1) and never jumps: across a publisher
// restart the viewer's decoder sees one continuous stream. All arithmetic is modulo 2^16 and
// 2^32, so wraps in either space are harmless. Randomness is injected by the caller.
#include <cstdint>

namespace webrtc::rtp {

class SeqTimestampRewriter {
 public:
  // 90 kHz / 30 fps: one frame interval, used to step over a publisher restart.
  static constexpr uint32_t DefaultDiscontinuityTsDelta = 3000;

  struct Mapped {
    uint16_t seq = 0;
    uint32_t timestamp = 0;
  };

  SeqTimestampRewriter(uint16_t initial_seq, uint32_t initial_timestamp,
                       uint32_t discontinuity_ts_delta = DefaultDiscontinuityTsDelta) noexcept;

  // The publisher restarted (new sequence/timestamp origin): the next packet continues at
  // last seq + 1 and last timestamp + the delta.
  void mark_discontinuity() noexcept { rebase_seq_ = rebase_ts_ = true; }
  // The viewer skips stream packets (e.g. a slow viewer jumps to the next keyframe): sequence
  // numbers close the gap so the viewer does not NACK what we chose not to send, while the
  // timestamp mapping keeps the media clock.
  void mark_skip() noexcept { rebase_seq_ = true; }

  // Maps one outgoing packet; retransmissions of older packets map with the same offsets.
  Mapped map(uint16_t stream_seq, uint32_t stream_timestamp) noexcept;
  // Inverse for NACKs from the viewer: the stream sequence number to look up in the ring.
  uint16_t to_stream_seq(uint16_t viewer_seq) const noexcept {
    return static_cast<uint16_t>(viewer_seq - seq_offset_);
  }

  bool started() const noexcept { return started_; }
  uint16_t last_seq() const noexcept { return last_seq_; }       // highest sent, viewer space
  uint32_t last_timestamp() const noexcept { return last_ts_; }  // of that packet

 private:
  uint32_t ts_delta_;
  uint16_t seq_offset_ = 0;
  uint32_t ts_offset_ = 0;
  uint16_t last_seq_;
  uint32_t last_ts_;
  bool started_ = false;
  bool rebase_seq_ = false;
  bool rebase_ts_ = false;
};

}  // namespace webrtc::rtp
