#pragma once
// One load viewer's WebRTC receive path, sans-I/O: UDP datagrams from the server's candidate
// and `now` in, datagrams to send out. ICE controlling checks and consent, DTLS and the SRTP
// keys come from the WHEP client's PeerTransport. Unlike tools/whep_client it never
// depacketizes or decodes: it counts RTP packets per SSRC from the clear-text header, fully
// unprotects (decrypts and authenticates) only what it must read or was told to sample, finds
// the first whole keyframe from the payload's NAL headers, counts whole frames by marker bit,
// and sends what a browser sends: receiver reports, generic NACKs and, when the answer numbers
// packets with the transport-wide sequence number, transport-cc feedback (read from the clear
// header of every packet). Not thread-safe: one owner drives it.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "load_client/frame_counter.hpp"
#include "load_client/freeze_meter.hpp"
#include "load_client/keyframe_detector.hpp"
#include "load_client/transport_feedback_recorder.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "whep_client/answer_info.hpp"
#include "whep_client/nack_tracker.hpp"
#include "whep_client/peer_transport.hpp"
#include "whep_client/rtp_stream_stats.hpp"

namespace bench::load_client {

using ViewerState = tools::whep_client::PeerState;

struct ViewerSessionConfig {
  tools::whep_client::PeerTransportConfig transport{
      .ice = {.check_interval = std::chrono::milliseconds(50),
              .consent_interval = std::chrono::milliseconds(5000)}};
  uint32_t rtcp_ssrc = 1;
  // After the first keyframe, every Kth RTP packet is fully unprotected; 1 checks them all.
  uint32_t sample_auth = 10;
  bool nack = true;
  tools::whep_client::NackTrackerConfig nack_config;
  // Send transport-cc feedback when the answer gave the extension an id (we offered it).
  bool transport_cc = false;
};

struct ViewerCounters {
  uint64_t video_packets = 0;  // primary video stream, RTX excluded
  uint64_t video_bytes = 0;    // RTP payload bytes (SRTP tag excluded)
  uint64_t video_expected = 0;
  uint64_t video_lost = 0;  // RFC 3550 expected - received, after NACK repair
  uint64_t audio_packets = 0;
  uint64_t audio_bytes = 0;
  uint64_t audio_expected = 0;
  uint64_t audio_lost = 0;
  uint64_t rtx_packets = 0;
  uint64_t whole_frames = 0;  // in the counting window
  uint64_t broken_frames = 0;
  double lag_ms = 0;        // see FrameCounter::lag_ms
  uint64_t nacks_sent = 0;  // RTCP NACK packets
  uint64_t nacked_packets = 0;
  uint64_t nack_recovered = 0;
  uint64_t reports_sent = 0;
  uint64_t feedbacks_sent = 0;    // transport-cc feedback packets
  uint64_t feedback_dropped = 0;  // transport-wide numbers late, duplicate or not reported
  // RTP bytes (header + payload + padding, SRTP tag excluded) of video, RTX and audio received
  // in the counting window (from frames_counted_since()).
  uint64_t window_bytes = 0;
  uint64_t auth_checked = 0;  // RTP packets fully unprotected
  uint64_t auth_failures = 0;
  uint64_t replays = 0;
  uint64_t unknown = 0;
};

class ViewerSession {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxStreams = 4;

  ViewerSession(ViewerSessionConfig config, const tools::whep_client::AnswerInfo& answer,
                TimePoint now);
  ~ViewerSession();

  void handle_datagram(std::span<uint8_t> datagram, TimePoint now);
  void on_timer(TimePoint now);
  TimePoint next_timeout(TimePoint now) const noexcept;
  // Frames are counted from `from` (the measurement window) but never within `settle` of the
  // first keyframe: the server's start-up GOP replay arrives faster than real time.
  void count_frames_from(TimePoint from, std::chrono::milliseconds settle) noexcept {
    count_from_ = from;
    settle_ = settle;
  }
  // When frame counting began or begins; nullopt before the first keyframe.
  std::optional<TimePoint> frames_counted_since() const noexcept;
  // Calls send(std::span<const uint8_t>) for every queued datagram, in order, and empties it.
  template <typename Fn>
  void drain(Fn&& send) {
    transport_.drain(std::forward<Fn>(send));
  }
  bool has_outgoing() const noexcept { return transport_.has_outgoing(); }
  void close() { transport_.close(); }  // DTLS close_notify

  ViewerState state() const noexcept { return transport_.state(); }
  const std::string& failure_reason() const noexcept { return transport_.failure_reason(); }
  std::optional<TimePoint> connected_at() const noexcept { return transport_.connected_at(); }
  std::optional<TimePoint> first_keyframe_at() const noexcept { return first_keyframe_at_; }
  ViewerCounters counters() const noexcept;
  // The longest gap without a new whole frame from frames_counted_since() to `end`; nullopt
  // before the first keyframe.
  std::optional<double> max_freeze_ms(TimePoint end) const noexcept;

 private:
  enum class Kind : uint8_t { Video, Rtx, Audio, Unknown };
  struct Stream {
    Stream(uint32_t ssrc, Kind kind, tools::whep_client::NackTrackerConfig nack_config);
    uint32_t ssrc;
    Kind kind;
    tools::whep_client::RtpStreamStats stats;
    tools::whep_client::NackTracker nacks;
    FrameCounter frames;
  };

  Kind classify(uint8_t payload_type) const noexcept;
  Stream* stream(uint32_t ssrc, Kind kind);
  void on_srtp(std::span<uint8_t> datagram, TimePoint now);
  void on_rtp(const webrtc::rtp::RtpPacketView& packet, Kind kind, bool clear, TimePoint now);
  void on_video(Stream& s, const webrtc::rtp::RtpPacketView& p, bool clear, TimePoint now);
  void on_rtx(const webrtc::rtp::RtpPacketView& packet, TimePoint now);
  void on_rtcp(std::span<const uint8_t> packet, TimePoint now);
  void send_report(TimePoint now);
  void send_nacks(TimePoint now);
  void record_transport_sequence(const webrtc::rtp::RtpPacketView& packet, TimePoint now);
  void send_feedback(TimePoint now);

  ViewerSessionConfig config_;
  tools::whep_client::AnswerInfo answer_;
  tools::whep_client::PeerTransport transport_;
  std::optional<TimePoint> first_keyframe_at_;
  TimePoint count_from_{};
  std::chrono::milliseconds settle_{0};
  KeyframeDetector keyframe_;
  std::vector<Stream> streams_;  // bounded by MaxStreams
  std::optional<uint8_t> transport_cc_id_;
  std::optional<TransportFeedbackRecorder> feedback_;
  FreezeMeter freezes_;
  uint32_t sample_counter_ = 0;
  ViewerCounters counters_;
  std::array<uint16_t, tools::whep_client::NackTracker::MaxMissing> nack_scratch_{};
};

}  // namespace bench::load_client
