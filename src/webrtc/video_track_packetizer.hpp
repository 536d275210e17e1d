#pragma once
// Turns the H.264 frames of one stream (or the VP8 frames of its VP8 rendition) into shared RTP
// packet frames: sequence numbers and 90 kHz timestamps in one stream space that survives
// publisher restarts, so viewers stay connected while the phone reconnects. Sequence numbers
// stay continuous; timestamps advance by the real time between the old publish's last frame and
// the new one's first (TimelineGap). Each frame goes by its own codec (RFC 6184 or RFC 7741);
// VP8 PictureIDs go up by one per frame sent, across restarts too.
#include <cstdint>
#include <optional>

#include "media/frame.hpp"
#include "webrtc/packetized_frame.hpp"
#include "webrtc/rtp/h264_packetizer.hpp"
#include "webrtc/rtp/vp8_packetizer.hpp"

namespace webrtc {

class VideoTrackPacketizer {
 public:
  static constexpr uint8_t DefaultPayloadType = 96;  // rewritten per viewer to its negotiated PT
  static constexpr uint32_t ClockRate = 90000;

  // `initial_picture_id`: the first VP8 PictureID (15 bits; random like the sequence number).
  VideoTrackPacketizer(uint32_t ssrc, uint16_t initial_seq, uint32_t initial_timestamp,
                       uint16_t initial_picture_id = 0);

  // Null when the frame cannot be sent (neither H.264 nor VP8, malformed NAL units or VP8
  // frame, before a keyframe). A keyframe is waited for by Frame::keyframe and marked by what
  // the bitstream says (an IDR slice, a VP8 key frame).
  // `sync_ns`: see PacketizedFrame::sync_ns (defaults to the frame's arrival).
  PacketizedFramePtr packetize(const media::Frame& frame, std::optional<int64_t> sync_ns = {});
  // The next frame starts a new timeline (publisher restarted): its timestamp follows the last
  // one by the time that passed between them on the sync clock.
  void mark_discontinuity() noexcept { discontinuity_ = true; }

  uint32_t ssrc() const noexcept { return ssrc_; }
  uint64_t frames() const noexcept { return frames_; }
  uint64_t rejected() const noexcept { return rejected_; }
  // RTP timestamp that corresponds to a publisher timestamp, on the current timeline.
  std::optional<uint32_t> rtp_timestamp_of(int64_t pts_ms) const noexcept;

 private:
  uint32_t timestamp_for(const media::Frame& frame, int64_t sync_ns) noexcept;
  // Starts the frame on its codec's packetizer; false when it cannot be packetized.
  bool begin(const media::Frame& frame) noexcept;
  template <typename Packetizer>
  void write_packets(Packetizer& packetizer, PacketizedFrame& out);

  const uint32_t ssrc_;
  uint16_t next_seq_;
  uint32_t last_timestamp_;
  rtp::H264Packetizer packetizer_;
  rtp::Vp8Packetizer vp8_packetizer_;
  bool have_timeline_ = false;
  bool discontinuity_ = true;
  bool waiting_for_keyframe_ = true;
  int64_t timeline_pts_ms_ = 0;  // publisher pts that maps to timeline_rtp_
  uint32_t timeline_rtp_ = 0;
  int64_t last_pts_ms_ = 0;
  int64_t last_sync_ns_ = 0;     // of the last frame sent
  int64_t last_arrival_ns_ = 0;  // of the last frame sent
  uint64_t frames_ = 0;
  uint64_t rejected_ = 0;
};

}  // namespace webrtc
