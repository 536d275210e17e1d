#pragma once
// The client's WebRTC receive stack for one WHEP session, sans-I/O: UDP datagrams (from the one
// remote candidate) and `now` in, datagrams to send out. PeerTransport does ICE, DTLS and the
// SRTP keys; this authenticates and counts every RTP packet, hands it to MediaReceiver, and
// sends RTCP receiver reports and NACKs. Not thread-safe: one owner drives it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "whep_client/answer_info.hpp"
#include "whep_client/media_receiver.hpp"
#include "whep_client/peer_transport.hpp"

namespace tools::whep_client {

struct PeerConfig {
  PeerTransportConfig transport;
  uint32_t rtcp_ssrc = 1;  // sender SSRC of our RTCP (RFC 3550 6.4.2)
  std::string cname = "whep-client";
  bool nack = false;
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

  WhepPeer(PeerConfig config, const AnswerInfo& answer, TimePoint now);
  ~WhepPeer();

  // One UDP datagram from the remote candidate; decrypted in place.
  void handle_datagram(std::span<uint8_t> datagram, TimePoint now);
  void on_timer(TimePoint now);
  // Earliest time on_timer() has work; callers may also tick more often.
  TimePoint next_timeout(TimePoint now) const noexcept;
  std::vector<std::vector<uint8_t>> take_outgoing() { return transport_.take_outgoing(); }
  template <typename Fn>
  void drain(Fn&& send) {
    transport_.drain(std::forward<Fn>(send));
  }
  // Sends DTLS close_notify (RFC 6347 4.2.7 alert), if connected.
  void close() { transport_.close(); }

  PeerState state() const noexcept { return transport_.state(); }
  const std::string& failure_reason() const noexcept { return transport_.failure_reason(); }
  std::optional<TimePoint> connected_at() const noexcept { return transport_.connected_at(); }
  const MediaReceiver& media() const noexcept { return media_; }
  const IceChecker& ice() const noexcept { return transport_.ice(); }
  PeerCounters counters() const noexcept;
  std::optional<uint16_t> srtp_profile() const noexcept { return transport_.srtp_profile(); }

 private:
  void on_srtp(std::span<uint8_t> datagram, TimePoint now);
  void on_rtcp(std::span<const uint8_t> packet, TimePoint now);
  void send_report(TimePoint now);
  void send_nacks(TimePoint now);

  PeerConfig config_;
  PeerTransport transport_;
  MediaReceiver media_;
  PeerCounters counters_;
};

}  // namespace tools::whep_client
