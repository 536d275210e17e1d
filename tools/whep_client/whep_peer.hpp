#pragma once
// The client's WebRTC receive stack for one WHEP session, sans-I/O: UDP datagrams (from the one
// remote candidate) and `now` in, datagrams to send out. It checks the pair as ICE controlling
// agent, then runs DTLS on the same 5-tuple (demux by first byte, RFC 7983), derives SRTP
// (RFC 5764), authenticates and counts every RTP packet, and sends RTCP receiver reports and
// NACKs. Not thread-safe: one owner drives it.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/srtp/srtp_session.hpp"
#include "whep_client/answer_info.hpp"
#include "whep_client/ice_checker.hpp"
#include "whep_client/media_receiver.hpp"

namespace tools::whep_client {

enum class PeerState : uint8_t { Checking, Handshaking, Connected, Failed };

struct PeerConfig {
  webrtc::ice::IceCredentials local_ice;  // as in our offer
  std::shared_ptr<const webrtc::dtls::DtlsContext> dtls_context;
  uint64_t tie_breaker = 0;
  uint32_t rtcp_ssrc = 1;  // sender SSRC of our RTCP (RFC 3550 6.4.2)
  std::string cname = "whep-client";
  bool nack = false;
  std::chrono::milliseconds report_interval{1000};
  IceCheckerConfig ice;
};

struct PeerCounters {
  uint64_t srtp_auth_failures = 0;
  uint64_t srtp_replays = 0;
  uint64_t srtp_other_errors = 0;
  uint64_t rtcp_received = 0;
  uint64_t reports_sent = 0;
  uint64_t nacks_sent = 0;           // NACK packets
  uint64_t nacked_packets = 0;       // sequence numbers requested
  uint64_t dropped_before_srtp = 0;  // RTP/RTCP before the keys existed
  uint64_t unknown_datagrams = 0;
};

class WhepPeer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxDatagram = 1500;

  WhepPeer(PeerConfig config, const AnswerInfo& answer, TimePoint now);
  ~WhepPeer();

  // One UDP datagram from the remote candidate; decrypted in place.
  void handle_datagram(std::span<uint8_t> datagram, TimePoint now);
  void on_timer(TimePoint now);
  // Earliest time on_timer() has work; callers may also tick more often.
  TimePoint next_timeout(TimePoint now) const noexcept;
  std::vector<std::vector<uint8_t>> take_outgoing();
  // Sends DTLS close_notify (RFC 6347 4.2.7 alert), if connected.
  void close();

  PeerState state() const noexcept { return state_; }
  const std::string& failure_reason() const noexcept { return failure_reason_; }
  std::optional<TimePoint> connected_at() const noexcept { return connected_at_; }
  const MediaReceiver& media() const noexcept { return media_; }
  const IceChecker& ice() const noexcept { return ice_; }
  PeerCounters counters() const noexcept;
  std::optional<uint16_t> srtp_profile() const noexcept;

 private:
  void on_stun(std::span<const uint8_t> datagram, TimePoint now);
  void on_dtls(std::span<const uint8_t> datagram, TimePoint now);
  void on_srtp(std::span<uint8_t> datagram, TimePoint now);
  void on_rtcp(std::span<const uint8_t> packet, TimePoint now);
  void after_dtls();
  bool start_srtp();
  void send_report(TimePoint now);
  void send_nacks(TimePoint now);
  void send_rtcp(size_t size);
  void fail(std::string reason);
  void queue(std::span<const uint8_t> bytes);

  PeerConfig config_;
  IceChecker ice_;
  webrtc::dtls::DtlsTransport dtls_;
  bool dtls_started_ = false;
  std::unique_ptr<webrtc::srtp::SrtpSession> srtp_in_;
  std::unique_ptr<webrtc::srtp::SrtpSession> srtp_out_;
  MediaReceiver media_;
  webrtc::stun::TransportAddress remote_;
  PeerState state_ = PeerState::Checking;
  std::string failure_reason_;
  std::optional<TimePoint> connected_at_;
  TimePoint next_report_{};
  PeerCounters counters_;
  std::vector<std::vector<uint8_t>> outgoing_;
  std::array<uint8_t, MaxDatagram> scratch_{};
};

}  // namespace tools::whep_client
