#include "whep_client/peer_transport.hpp"

#include <algorithm>

#include "base/datagram_kind.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace tools::whep_client {

namespace dtls = webrtc::dtls;
namespace srtp = webrtc::srtp;

namespace {

dtls::DtlsConfig dtls_config(const AnswerInfo& answer) {
  dtls::DtlsConfig c;
  c.role = answer.our_dtls_role;
  c.remote_fingerprint = answer.fingerprint;
  return c;
}

}  // namespace

PeerTransport::PeerTransport(PeerTransportConfig config, const AnswerInfo& answer, TimePoint now)
    : ice_(config.local_ice, answer.ice, config.tie_breaker, now, config.ice),
      dtls_(std::move(config.dtls_context), dtls_config(answer)),
      remote_(answer.candidate.address),
      report_interval_(config.report_interval) {
  if (dtls_.state() == dtls::DtlsState::Failed) fail("DTLS setup: " + dtls_.failure_reason());
}

PeerTransport::~PeerTransport() = default;

bool PeerTransport::handle_datagram(std::span<const uint8_t> d, TimePoint now) {
  if (d.empty() || state_ == PeerState::Failed) return false;
  switch (base::classify_datagram(d)) {
    case base::DatagramKind::Stun:
      on_stun(d, now);
      break;
    case base::DatagramKind::Dtls:
      on_dtls(d);
      break;
    case base::DatagramKind::Rtp:
      return true;
    case base::DatagramKind::Other:
      ++unknown_datagrams_;
      break;
  }
  return false;
}

void PeerTransport::on_stun(std::span<const uint8_t> d, TimePoint now) {
  auto msg = webrtc::stun::StunMessage::parse(d);
  if (!msg) {
    ++unknown_datagrams_;
    return;
  }
  // The socket is connected to the remote candidate, so every datagram comes from there.
  const size_t n = ice_.handle(*msg, now, scratch_, remote_);
  if (n > 0) queue(std::span(scratch_).first(n));
  if (state_ == PeerState::Checking && ice_.state() == IceCheckState::Connected) {
    state_ = PeerState::Handshaking;
    // The client speaks first (RFC 6347 4.2.1); a DTLS server waits for the ClientHello.
    dtls_started_ = true;
    if (dtls_.role() == dtls::DtlsRole::Client) dtls_.start();
    after_dtls();
  }
}

void PeerTransport::on_dtls(std::span<const uint8_t> d) {
  if (!dtls_started_) {
    // With setup:active the server may send its ClientHello right after its own checks.
    if (dtls_.role() == dtls::DtlsRole::Client) return;
    dtls_started_ = true;
  }
  dtls_.feed(d);
  after_dtls();
}

void PeerTransport::after_dtls() {
  for (auto& out : dtls_.take_outgoing())
    outgoing_.push_back(std::move(out));
  if (dtls_.state() == dtls::DtlsState::Failed) {
    fail("DTLS: " + dtls_.failure_reason());
  } else if (dtls_.state() == dtls::DtlsState::Connected && !srtp_in_) {
    if (!start_srtp()) fail("SRTP: could not create sessions from the DTLS keys");
  }
}

bool PeerTransport::start_srtp() {
  const auto& keys = dtls_.srtp_keys();
  if (!keys) return false;
  const auto profile = srtp::srtp_profile_from_id(keys->profile);
  if (!profile) return false;
  srtp_in_ = srtp::SrtpSession::create(*profile, srtp::SrtpDirection::Inbound, keys->remote_key,
                                       keys->remote_salt);
  srtp_out_ = srtp::SrtpSession::create(*profile, srtp::SrtpDirection::Outbound, keys->local_key,
                                        keys->local_salt);
  return srtp_in_ && srtp_out_;
}

bool PeerTransport::on_timer(TimePoint now) {
  if (state_ == PeerState::Failed) return false;
  if (size_t n = ice_.poll(now, scratch_); n > 0) queue(std::span(scratch_).first(n));
  ice_.on_timer(now);
  if (ice_.state() == IceCheckState::Failed) {
    fail(ice_.failure_reason());
    return false;
  }
  if (dtls_started_) {
    if (auto at = dtls_.next_timeout(now); at && *at <= now) dtls_.handle_timeout(now);
    after_dtls();
  }
  return true;
}

PeerTransport::TimePoint PeerTransport::next_timeout(TimePoint now) const noexcept {
  TimePoint next = ice_.next_check();
  // Only a handshake in progress has a retransmission timer.
  if (dtls_started_) {
    if (auto at = dtls_.next_timeout(now)) next = std::min(next, *at);
  }
  if (srtp_out_) next = std::min(next, std::max(next_report_, now));
  return next;
}

bool PeerTransport::report_due(TimePoint now) noexcept {
  if (!srtp_out_ || now < next_report_) return false;
  next_report_ = now + report_interval_;
  return true;
}

bool PeerTransport::on_media(TimePoint now) {
  if (connected_at_) return false;
  connected_at_ = now;
  state_ = PeerState::Connected;
  return true;
}

void PeerTransport::send_rtcp(size_t size) {
  if (!srtp_out_) return;
  if (auto n = srtp_out_->protect_rtcp(scratch_, size)) queue(std::span(scratch_).first(*n));
}

void PeerTransport::close() {
  if (dtls_.state() != dtls::DtlsState::Connected) return;
  dtls_.close();
  for (auto& out : dtls_.take_outgoing())
    outgoing_.push_back(std::move(out));
}

void PeerTransport::fail(std::string reason) {
  if (state_ == PeerState::Failed) return;
  state_ = PeerState::Failed;
  failure_reason_ = std::move(reason);
}

void PeerTransport::queue(std::span<const uint8_t> bytes) {
  outgoing_.emplace_back(bytes.begin(), bytes.end());
}

std::vector<std::vector<uint8_t>> PeerTransport::take_outgoing() {
  std::vector<std::vector<uint8_t>> out;
  out.swap(outgoing_);
  return out;
}

std::optional<uint16_t> PeerTransport::srtp_profile() const noexcept {
  const auto& keys = dtls_.srtp_keys();
  if (!keys) return std::nullopt;
  return keys->profile;
}

}  // namespace tools::whep_client
