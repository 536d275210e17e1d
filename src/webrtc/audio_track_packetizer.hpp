#pragma once
// Opus over RTP (RFC 7587): one 20 ms Opus packet per RTP packet, 48 kHz timestamps, in one
// stream space that survives publisher restarts and transcoder resets. Sequence numbers stay
// continuous; after a restart timestamps advance by the real time that passed (TimelineGap),
// as after a silence with DTX.
#include <cstdint>
#include <span>

#include "webrtc/packetized_frame.hpp"

namespace webrtc {

class AudioTrackPacketizer {
 public:
  static constexpr uint8_t DefaultPayloadType = 111;  // rewritten per viewer
  static constexpr uint32_t ClockRate = 48000;
  static constexpr size_t MaxOpusPacket = 1200;

  AudioTrackPacketizer(uint32_t ssrc, uint16_t initial_seq, uint32_t initial_timestamp);

  // `pts_48k`: the packet's first sample on the transcoder's 48 kHz timeline; `sync_ns`: see
  // PacketizedFrame::sync_ns. Null for an empty or oversized packet.
  PacketizedFramePtr packetize(std::span<const uint8_t> opus, int64_t pts_48k, int64_t arrival_ns,
                               int64_t sync_ns);
  // The next packet starts a new timeline (publisher restarted): its timestamp follows the last
  // one by the time that passed between them on the sync clock.
  void mark_discontinuity() noexcept { discontinuity_ = true; }

  uint32_t ssrc() const noexcept { return ssrc_; }

 private:
  const uint32_t ssrc_;
  uint16_t next_seq_;
  uint32_t last_timestamp_;
  bool have_timeline_ = false;
  bool discontinuity_ = true;
  int64_t timeline_pts_ = 0;
  uint32_t timeline_rtp_ = 0;
  int64_t last_pts_ = 0;
  int64_t last_sync_ns_ = 0;
  int64_t last_arrival_ns_ = 0;
};

}  // namespace webrtc
