#pragma once
// The per-viewer half of one track's egress (video or audio). Shared stream packets are copied
// once into a scratch buffer, their header rewritten to the viewer's own sequence and timestamp
// space, and handed to the sink (which encrypts and sends). For video, starting from the GOP
// history with compressed timestamps gives a joining viewer the current picture at once and
// then live latency; the same replay answers a PLI. Audio frames are all "keyframes": a viewer
// starts at the live edge. NACKs are served from the history, over RTX when negotiated.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/packet_history.hpp"
#include "webrtc/packetized_frame.hpp"

namespace webrtc {

class RtpSink {
 public:
  virtual ~RtpSink() = default;
  // `buffer` holds `length` bytes of a plain RTP packet and has room for the SRTP trailer.
  virtual void send_rtp(std::span<uint8_t> buffer, size_t length) = 0;
};

struct TrackSenderConfig {
  uint8_t payload_type = 96;
  uint32_t ssrc = 0;
  std::optional<uint8_t> rtx_payload_type;
  uint32_t rtx_ssrc = 0;
  uint16_t initial_seq = 0;
  uint16_t initial_rtx_seq = 0;
};

struct TrackSenderStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;  // RTP payload + header bytes before encryption
  uint64_t frames = 0;
  uint64_t replays = 0;
  uint64_t nacked = 0;  // sequence numbers asked for
  uint64_t retransmitted = 0;
  uint64_t not_in_history = 0;  // asked for but gone
};

class TrackSender {
 public:
  // Sent packets remembered for NACKs (2 s of 8 Mbit/s video), and the frames they belong to
  // (for their timestamps; 256 frames of one packet each is 5 s of audio).
  static constexpr size_t SeqMapSize = 2048;
  static constexpr size_t FrameMapSize = 256;

  TrackSender(TrackSenderConfig config, RtpSink& sink);

  // Sends the frames from a keyframe to the newest (PacketHistory::since_keyframe()) with
  // timestamps squeezed together, so the decoder catches up at once; live frames follow.
  void replay(std::span<const PacketizedFramePtr> frames);
  // A live frame; ignored until the viewer has started (replay or a live keyframe).
  void send_live(const PacketizedFrame& frame);
  // Generic NACK for one of our (viewer-space) sequence numbers.
  void retransmit(uint16_t viewer_seq, const PacketHistory& history);

  bool started() const noexcept { return started_; }
  const TrackSenderStats& stats() const noexcept { return stats_; }
  // The viewer-space RTP timestamp and sync time (PacketizedFrame::sync_ns) of the newest frame
  // sent, for sender reports.
  std::optional<std::pair<uint32_t, int64_t>> last_frame() const noexcept;
  uint32_t ssrc() const noexcept { return config_.ssrc; }

 private:
  void send_frame(const PacketizedFrame& frame, uint32_t viewer_ts);
  void send_packet(std::span<const uint8_t> packet, uint16_t stream_seq, uint32_t viewer_ts);
  std::optional<uint32_t> viewer_ts_of(uint16_t viewer_seq) const noexcept;

  // A frame's packets share one timestamp and take consecutive viewer sequence numbers, so one
  // mark per frame (the count of packets sent before it) gives every packet's timestamp back.
  struct FrameMark {
    uint32_t first_packet = 0;
    uint32_t viewer_ts = 0;
  };

  const TrackSenderConfig config_;
  RtpSink& sink_;
  bool started_ = false;
  uint16_t next_seq_;
  uint16_t next_rtx_seq_;
  uint32_t ts_offset_ = 0;  // viewer ts = stream ts + offset for live frames
  bool have_sent_ = false;
  uint32_t last_ts_ = 0;
  int64_t last_sync_ns_ = 0;
  // Viewer sequence number (low bits) to stream sequence number: all a NACK needs to find the
  // shared packet. 4 KB per track instead of a map of full records.
  std::array<uint16_t, SeqMapSize> stream_seq_{};
  std::array<FrameMark, FrameMapSize> frame_marks_{};
  uint64_t frames_marked_ = 0;
  TrackSenderStats stats_;
};

}  // namespace webrtc
