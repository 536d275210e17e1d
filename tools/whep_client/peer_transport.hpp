#pragma once
// The client side of one WHEP session's transport, sans-I/O: UDP datagrams (from the one remote
// candidate) and `now` in, datagrams to send out. It checks the pair as ICE controlling agent,
// then runs DTLS on the same 5-tuple (demux by first byte, RFC 7983) and derives SRTP (RFC
// 5764). Media is its owner's business: SRTP/SRTCP datagrams are handed back unread, so the
// WHEP client can decode them and the load client only count them. Not thread-safe.
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

namespace tools::whep_client {

enum class PeerState : uint8_t { Checking, Handshaking, Connected, Failed };

struct PeerTransportConfig {
  webrtc::ice::IceCredentials local_ice{};  // as in our offer
  std::shared_ptr<const webrtc::dtls::DtlsContext> dtls_context{};
  uint64_t tie_breaker = 0;
  IceCheckerConfig ice;
  std::chrono::milliseconds report_interval{1000};  // RTCP receiver reports (RFC 3550 6.2)
};

class PeerTransport {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxDatagram = 1500;

  PeerTransport(PeerTransportConfig config, const AnswerInfo& answer, TimePoint now);
  ~PeerTransport();

  // Takes STUN and DTLS itself; returns true for SRTP or SRTCP (first byte 128-191), which the
  // owner reads with srtp_in(), still null before the keys.
  bool handle_datagram(std::span<const uint8_t> datagram, TimePoint now);
  // ICE checks and consent, DTLS retransmission; false when the session is or just became
  // Failed, so the owner sends nothing more.
  bool on_timer(TimePoint now);
  // Earliest time on_timer() has ICE or DTLS work or a receiver report is due.
  TimePoint next_timeout(TimePoint now) const noexcept;
  // Reports start with the keys: an RR before media tells the sender we are listening. True
  // when one is due now; the next is then due one interval later.
  bool report_due(TimePoint now) noexcept;
  void defer_report(TimePoint now) noexcept { next_report_ = now + report_interval_; }
  // The owner read its first authenticated media packet; true only the first time.
  bool on_media(TimePoint now);

  webrtc::srtp::SrtpSession* srtp_in() noexcept { return srtp_in_.get(); }
  const webrtc::srtp::SrtpSession* srtp_in() const noexcept { return srtp_in_.get(); }
  bool can_send_rtcp() const noexcept { return srtp_out_ != nullptr; }
  // Room for one RTCP compound packet; send_rtcp() protects its first `size` bytes in place.
  std::span<uint8_t> rtcp_buffer() noexcept { return scratch_; }
  void send_rtcp(size_t size);
  // Sends DTLS close_notify (RFC 6347 4.2.7 alert), if connected.
  void close();

  // Calls send(std::span<const uint8_t>) for every queued datagram, in order, and empties it.
  template <typename Fn>
  void drain(Fn&& send);
  std::vector<std::vector<uint8_t>> take_outgoing();
  bool has_outgoing() const noexcept { return !outgoing_.empty(); }

  PeerState state() const noexcept { return state_; }
  const std::string& failure_reason() const noexcept { return failure_reason_; }
  std::optional<TimePoint> connected_at() const noexcept { return connected_at_; }
  const IceChecker& ice() const noexcept { return ice_; }
  std::optional<uint16_t> srtp_profile() const noexcept;
  uint64_t unknown_datagrams() const noexcept { return unknown_datagrams_; }

 private:
  void on_stun(std::span<const uint8_t> datagram, TimePoint now);
  void on_dtls(std::span<const uint8_t> datagram);
  void after_dtls();
  bool start_srtp();
  void fail(std::string reason);
  void queue(std::span<const uint8_t> bytes);

  IceChecker ice_;
  webrtc::dtls::DtlsTransport dtls_;
  bool dtls_started_ = false;
  std::unique_ptr<webrtc::srtp::SrtpSession> srtp_in_;
  std::unique_ptr<webrtc::srtp::SrtpSession> srtp_out_;
  webrtc::stun::TransportAddress remote_;
  PeerState state_ = PeerState::Checking;
  std::string failure_reason_;
  std::optional<TimePoint> connected_at_;
  std::chrono::milliseconds report_interval_;
  TimePoint next_report_{};  // the epoch: as soon as the keys exist
  uint64_t unknown_datagrams_ = 0;
  std::vector<std::vector<uint8_t>> outgoing_;
  std::array<uint8_t, MaxDatagram> scratch_{};
};

template <typename Fn>
void PeerTransport::drain(Fn&& send) {
  for (const auto& d : outgoing_)
    send(std::span<const uint8_t>(d));
  outgoing_.clear();
}

}  // namespace tools::whep_client
