#pragma once
// One WHEP viewer: ICE-lite, the DTLS handshake, SRTP, RTCP, and the video sender, over the one
// UDP port the node shares among all viewers. Sans-I/O: datagrams and time come in, datagrams
// go out through a DatagramSink. Used by one event loop only.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "webrtc/dtls/dtls_context.hpp"
#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/dtls/fingerprint.hpp"
#include "webrtc/ice/ice_lite_agent.hpp"
#include "webrtc/rtcp/report_block.hpp"
#include "webrtc/rtcp/rtcp_packet.hpp"
#include "webrtc/send_side_bandwidth.hpp"
#include "webrtc/srtp/srtp_session.hpp"
#include "webrtc/track_egress.hpp"

namespace webrtc {

using TransportAddress = ice::TransportAddress;

class DatagramSink {
 public:
  virtual ~DatagramSink() = default;
  virtual void send_datagram(std::span<const uint8_t> bytes, const TransportAddress& to) = 0;
};

struct PeerSessionConfig {
  ice::IceCredentials local_ice;
  ice::IceCredentials remote_ice;
  std::shared_ptr<const dtls::DtlsContext> dtls_context;
  dtls::Fingerprint remote_fingerprint;
  TrackSenderConfig video;
  std::optional<TrackSenderConfig> audio;  // when the viewer accepted Opus and the stream has audio
  std::string cname;
  std::chrono::milliseconds report_interval{1000};
  std::chrono::milliseconds connect_timeout{15000};  // offer to SRTP keys
  // After a DTLS alert that cannot be authenticated any more (the SSL object is gone once the
  // keys are out): the viewer counts as gone when no RTCP or STUN follows for this long. A
  // browser sends RTCP about every second; a forged alert cannot silence it.
  std::chrono::milliseconds leave_confirmation{3000};
  std::chrono::milliseconds keyframe_request_interval{500};  // PLI/FIR replays at most this often
  TrackEgressConfig egress;  // NACK budget and keyframe replay pace, per track
  // The offer's id for the transport-wide sequence number extension: every packet is stamped
  // and transport-cc feedback drives a bandwidth estimate. Empty: not negotiated.
  std::optional<uint8_t> transport_cc_extension;
  bool remb = false;  // goog-remb negotiated: an estimate from REMB when no transport-cc
  bwe::BandwidthEstimator::Config bandwidth{.start_bps = 2'000'000, .history = 2048};
  ice::IceLiteConfig ice;
};

enum class PeerState : uint8_t { New, Connecting, Connected, Closed };

struct PeerStats {
  PeerState state = PeerState::New;
  TrackSenderStats video;
  TrackSenderStats audio;
  NackResponderStats video_nack;  // NACKed packets not resent, by reason
  NackResponderStats audio_nack;
  uint64_t paced_replays = 0;  // keyframe requests answered by a paced replay
  uint64_t paced_joins = 0;
  uint64_t paced_keyframes = 0;
  uint64_t replay_rate_bps = 0;
  uint64_t plis = 0;
  uint64_t firs = 0;
  uint64_t nack_packets = 0;
  uint64_t rtcp_received = 0;
  uint64_t rtcp_malformed = 0;
  uint64_t srtp_auth_failures = 0;
  uint64_t dropped_datagrams = 0;
  uint8_t fraction_lost = 0;  // last receiver report, /256
  int32_t cumulative_lost = 0;
  uint32_t jitter = 0;  // RTP units
  std::optional<std::chrono::microseconds> rtt;
  std::optional<std::chrono::milliseconds> connect_time;  // session start to SRTP keys
  std::optional<SendSideBandwidthStats> bandwidth;        // when an estimate is kept
  uint64_t probes = 0;
};

class PeerSession : private RtpSink {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  PeerSession(PeerSessionConfig config, DatagramSink& sink,
              std::shared_ptr<const PacketHistory> video_history,
              std::shared_ptr<const PacketHistory> audio_history, TimePoint now);
  ~PeerSession() override;

  // A datagram the demux routed here (STUN, DTLS or SRTCP by RFC 7983 first byte). The buffer
  // may be modified (decrypted in place).
  void on_datagram(std::span<uint8_t> datagram, const TransportAddress& from, TimePoint now,
                   WallTime wall);
  void on_timer(TimePoint now, WallTime wall);

  // Live video from the stream; sent once the viewer is connected and has started.
  void send_video(const PacketizedFramePtr& frame, TimePoint now) {
    if (!ready()) return;
    set_now(now);
    video_.send_live(frame, now);
  }
  // A live keyframe spread out at `pace_bps` (TrackEgress::send_live_paced).
  void send_video_paced(const PacketizedFramePtr& frame, uint64_t pace_bps, TimePoint now) {
    if (!ready()) return;
    set_now(now);
    video_.send_live_paced(frame, pace_bps, now);
  }
  // Live audio: a viewer starts at the live edge (no cached audio is replayed).
  void send_audio(const PacketizedFramePtr& frame, TimePoint now) {
    if (!ready() || !audio_) return;
    set_now(now);
    audio_->send_live(frame, now);
  }
  // The viewer needs a decodable picture now (just connected, or PLI/FIR): the owner replays
  // PacketHistory::since_keyframe() through replay_video(), paced at a multiple of
  // `stream_bps` (PacketHistory::bitrate_bps()); on the first start the keyframe goes at once.
  bool take_keyframe_request() noexcept;
  void replay_video(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps,
                    TimePoint now) {
    if (!ready()) return;
    set_now(now);
    video_.replay(frames, stream_bps, now);
  }
  // The send-side bandwidth estimate, when transport-cc or REMB was negotiated.
  std::optional<int64_t> estimate_bps() const noexcept;
  // The estimate with what it rests on (delivered rate, loss), when one is kept.
  std::optional<SendSideBandwidthStats> bandwidth() const noexcept {
    if (!bandwidth_) return std::nullopt;
    return bandwidth_->stats();
  }
  // True once after each feedback that may have moved the estimate.
  bool take_estimate_update() noexcept { return bandwidth_ && bandwidth_->take_update(); }
  std::optional<ProbeResult> take_probe_result() noexcept {
    return bandwidth_ ? bandwidth_->take_probe_result() : std::nullopt;
  }
  // Probes the link at `target_bps` in all (media `media_bps` + RTX copies) for `duration`:
  // the packets sent meanwhile form cluster `cluster`. False without transport-cc or RTX.
  bool start_probe(int cluster, int64_t target_bps, int64_t media_bps,
                   std::chrono::milliseconds duration, TimePoint now);
  // The video now comes from another stream whose packets are in `history` (a rendition
  // switch); the next live keyframe of it continues this viewer's track.
  void switch_video(std::shared_ptr<const PacketHistory> history) {
    video_.switch_stream(std::move(history));
  }
  // Sends what a paced replay may send now; true while one is in progress (call again at
  // next_pace_due()).
  bool pace(TimePoint now);
  std::optional<TimePoint> next_pace_due() const noexcept;

  void close(std::string reason);
  bool ready() const noexcept { return state_ == PeerState::Connected; }
  bool closed() const noexcept { return state_ == PeerState::Closed; }
  const std::string& close_reason() const noexcept { return close_reason_; }
  PeerState state() const noexcept { return state_; }
  ice::IceState ice_state() const noexcept { return ice_.state(); }
  std::optional<TransportAddress> remote_address() const noexcept {
    return ice_.selected_address();
  }
  PeerStats stats() const;
  const ice::IceLiteAgent& ice() const noexcept { return ice_; }

 private:
  void send_rtp(std::span<uint8_t> buffer, size_t length) override;
  void set_now(TimePoint now) noexcept {
    if (sequencer_) sequencer_->set_now(now);
  }
  void on_stun(std::span<const uint8_t> datagram, const TransportAddress& from, TimePoint now);
  void on_dtls(std::span<const uint8_t> datagram, TimePoint now);
  void on_srtcp(std::span<uint8_t> datagram, TimePoint now, WallTime wall);
  void flush_dtls();
  void start_srtp(TimePoint now);
  void send_report(const TrackSender& track, uint32_t clock_rate, TimePoint now, WallTime wall);
  void on_report_blocks(const rtcp::ReportBlocks& blocks, WallTime wall);
  void on_feedback(std::span<const uint8_t> rtcp, TimePoint now, WallTime wall);
  // Transport-cc or REMB: true when `packet` was one (consumed).
  bool on_bandwidth_feedback(const rtcp::RtcpPacket& packet, TimePoint now);

  PeerSessionConfig config_;
  DatagramSink& sink_;
  ice::IceLiteAgent ice_;
  dtls::DtlsTransport dtls_;
  std::unique_ptr<srtp::SrtpSession> srtp_out_;
  std::unique_ptr<srtp::SrtpSession> srtp_in_;
  // Before the tracks: their senders stamp through the sequencer, which reports to bandwidth_.
  std::unique_ptr<SendSideBandwidth> bandwidth_;
  std::unique_ptr<TransportSequencer> sequencer_;
  std::optional<TimePoint> probe_until_;
  TrackEgress video_;
  std::optional<TrackEgress> audio_;
  PeerState state_ = PeerState::New;
  std::string close_reason_;
  TimePoint created_;
  TimePoint next_report_{};
  TimePoint last_keyframe_request_{};
  TimePoint last_heard_{};                  // last authenticated RTCP or STUN check
  std::optional<TimePoint> leave_hint_at_;  // a DTLS alert after release: maybe gone
  uint64_t alerts_seen_ = 0;
  bool keyframe_requested_ = false;
  uint64_t last_sr_ntp_ = 0;
  PeerStats stats_;
};

}  // namespace webrtc
