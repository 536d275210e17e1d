#pragma once
// The per-viewer half of one track's egress (video or audio). Shared stream packets are copied
// once into a scratch buffer, their header rewritten to the viewer's own sequence and timestamp
// space, and handed to the sink (which encrypts and sends). For video, starting from the GOP
// history with compressed timestamps gives a joining viewer the current picture at once and
// then live latency; the same replay answers a PLI. Audio frames are all "keyframes": a viewer
// starts at the live edge. A keyframe request is answered by a paced replay instead
// (send_paced, driven by KeyframeReplay), stamped by send time. NACKs are served from the
// history, over RTX when negotiated, as far as a NackResponder allows.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/nack_responder.hpp"
#include "webrtc/packet_history.hpp"
#include "webrtc/packetized_frame.hpp"
#include "webrtc/sent_packet_map.hpp"
#include "webrtc/transport_sequencer.hpp"

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
  uint32_t clock_rate = 90000;
  // Runs of packets remembered for NACKs: a live stream is one run, a replayed frame one each.
  size_t sent_runs = 512;
};

struct TrackSenderStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;          // RTP payload + header bytes before encryption
  uint64_t payload_bytes = 0;  // RTP payload only, originals (sender report octet count)
  uint64_t frames = 0;
  uint64_t replays = 0;
  uint64_t nacked = 0;          // sequence numbers asked for
  uint64_t retransmitted = 0;   // answers to NACKs, second copies included
  uint64_t second_copies = 0;   // of retransmissions, sent unasked a moment after the first
  uint64_t not_in_history = 0;  // asked for but gone
  uint64_t paced_packets = 0;   // sent by a paced replay
  uint64_t probe_packets = 0;   // RTX copies sent to probe the link
  uint64_t probe_bytes = 0;
  uint64_t stream_switches = 0;
};

class TrackSender {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `sequencer`: stamps every packet with the session's transport-wide sequence number (null:
  // not negotiated).
  TrackSender(TrackSenderConfig config, RtpSink& sink, TransportSequencer* sequencer = nullptr);

  // Sends the frames from a keyframe to the newest (PacketHistory::since_keyframe()) with
  // timestamps squeezed together, so the decoder catches up at once; live frames follow.
  void replay(std::span<const PacketizedFramePtr> frames);
  // A live frame; ignored until the viewer has started (replay or a live keyframe).
  void send_live(const PacketizedFrame& frame);
  // Packets [first, end) of a frame in a paced replay. A frame's first packet fixes its
  // timestamp by the time it leaves (`now_ns`, steady clock), so the viewer sees frames that
  // arrive at the pace they are stamped and plays them as they come, catching up to live.
  void send_paced(const PacketizedFrame& frame, size_t first, size_t end, int64_t now_ns);
  // The frames now come from another stream (a rendition switch): the next live keyframe
  // continues this viewer's sequence numbers, and its timestamps by arrival time; packets sent
  // before cannot be repaired any more (their stream is not the one in the history).
  void switch_stream() noexcept;
  // A copy of the packet sent as `viewer_seq`, over RTX, to probe the link (not a repair:
  // counted apart). False when it is not in the history or RTX is not negotiated.
  bool send_probe(uint16_t viewer_seq, const PacketSource& history);
  // The newest sequence number sent (for probes: what was just sent is in the history).
  std::optional<uint16_t> last_sequence() const noexcept;
  // The paced replay is over: the next live frame continues the send-time stamping.
  void resume_live() noexcept { rebase_ = true; }
  // Generic NACK for one of our (viewer-space) sequence numbers; with a responder, only when
  // it admits the resend. Returns whether the packet was sent again.
  bool retransmit(uint16_t viewer_seq, const PacketSource& history);
  bool retransmit(uint16_t viewer_seq, const PacketSource& history, NackResponder& responder,
                  TimePoint now, std::optional<std::chrono::microseconds> rtt);
  // A second copy of a packet resent a moment ago (not a new request: counted apart), as far
  // as the responder's budget allows.
  bool resend_copy(uint16_t viewer_seq, const PacketSource& history, NackResponder& responder,
                   TimePoint now);

  bool started() const noexcept { return started_; }
  const TrackSenderStats& stats() const noexcept { return stats_; }
  // The viewer-space RTP timestamp and sync time (PacketizedFrame::sync_ns) of the newest frame
  // sent, for sender reports.
  std::optional<std::pair<uint32_t, int64_t>> last_frame() const noexcept;
  uint32_t ssrc() const noexcept { return config_.ssrc; }

 private:
  struct Found {
    std::span<const uint8_t> packet;  // the shared stored packet
    uint32_t viewer_ts = 0;
  };
  std::optional<Found> find_sent(uint16_t viewer_seq, const PacketSource& history) const;
  // find_sent for a NACK: counts it as asked for, and as gone when it is.
  std::optional<Found> find_nacked(uint16_t viewer_seq, const PacketSource& history);
  void send_frame(const PacketizedFrame& frame, uint32_t viewer_ts);
  void send_packet(const PacketizedFrame& frame, size_t index, uint32_t viewer_ts);
  uint32_t ticks(int64_t ns) const noexcept;
  int64_t tick_ns() const noexcept;  // one tick, rounded up
  void resend(uint16_t viewer_seq, std::span<const uint8_t> packet, uint32_t viewer_ts);
  // A second copy of a sent packet (RTX when negotiated): a repair or a probe.
  bool write_copy(uint16_t viewer_seq, std::span<const uint8_t> packet, uint32_t viewer_ts);
  size_t write_header(std::span<uint8_t> buf, std::span<const uint8_t> packet) noexcept;
  void emit(std::span<uint8_t> buf, size_t length);

  const TrackSenderConfig config_;
  RtpSink& sink_;
  TransportSequencer* sequencer_;
  bool started_ = false;
  bool rebase_ = false;    // after a paced replay: stamp the next live frame by arrival
  bool switched_ = false;  // the next keyframe comes from another stream: stamp it by arrival
  uint16_t next_seq_;
  uint16_t next_rtx_seq_;
  uint32_t ts_offset_ = 0;  // viewer ts = stream ts + offset for live frames
  bool have_sent_ = false;
  uint32_t last_ts_ = 0;
  int64_t last_sync_ns_ = 0;
  int64_t last_arrival_ns_ = 0;
  uint32_t frame_ts_ = 0;  // viewer timestamp of the frame being sent
  SentPacketMap sent_;
  TrackSenderStats stats_;
};

}  // namespace webrtc
