#include "whep_client/whep_peer.hpp"

#include <algorithm>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/sender_report.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/stun/stun_message.hpp"
#include "whep_client/feedback_writer.hpp"

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

WhepPeer::WhepPeer(PeerConfig config, const AnswerInfo& answer, TimePoint now)
    : config_(std::move(config)),
      ice_(config_.local_ice, answer.ice, config_.tie_breaker, now, config_.ice),
      dtls_(config_.dtls_context, dtls_config(answer)),
      media_(answer, config_.nack),
      remote_(answer.candidate.address) {
  if (dtls_.state() == dtls::DtlsState::Failed) fail("DTLS setup: " + dtls_.failure_reason());
}

WhepPeer::~WhepPeer() = default;

void WhepPeer::handle_datagram(std::span<uint8_t> d, TimePoint now) {
  if (d.empty() || state_ == PeerState::Failed) return;
  const uint8_t b = d[0];
  // RFC 7983 7: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP.
  if (b <= 3) {
    on_stun(d, now);
  } else if (b >= 20 && b <= 63) {
    on_dtls(d, now);
  } else if (b >= 128 && b <= 191) {
    on_srtp(d, now);
  } else {
    ++counters_.unknown_datagrams;
  }
}

void WhepPeer::on_stun(std::span<const uint8_t> d, TimePoint now) {
  auto msg = webrtc::stun::StunMessage::parse(d);
  if (!msg) {
    ++counters_.unknown_datagrams;
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

void WhepPeer::on_dtls(std::span<const uint8_t> d, TimePoint) {
  if (!dtls_started_) {
    // With setup:active the server may send its ClientHello right after its own checks.
    if (dtls_.role() == dtls::DtlsRole::Client) return;
    dtls_started_ = true;
  }
  dtls_.feed(d);
  after_dtls();
}

void WhepPeer::after_dtls() {
  for (auto& out : dtls_.take_outgoing())
    outgoing_.push_back(std::move(out));
  if (dtls_.state() == dtls::DtlsState::Failed) {
    fail("DTLS: " + dtls_.failure_reason());
  } else if (dtls_.state() == dtls::DtlsState::Connected && !srtp_in_) {
    if (!start_srtp()) fail("SRTP: could not create sessions from the DTLS keys");
  }
}

bool WhepPeer::start_srtp() {
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

void WhepPeer::on_srtp(std::span<uint8_t> d, TimePoint now) {
  if (!srtp_in_) {
    ++counters_.dropped_before_srtp;
    return;
  }
  if (webrtc::rtcp::is_rtcp(d)) {
    if (auto n = srtp_in_->unprotect_rtcp(d, d.size())) on_rtcp(d.first(*n), now);
    return;
  }
  auto n = srtp_in_->unprotect_rtp(d, d.size());
  if (!n) return;  // counted by the session (auth failures, replays)
  auto packet = webrtc::rtp::RtpPacketView::parse(d.first(*n));
  if (!packet) {
    ++counters_.unknown_datagrams;
    return;
  }
  if (!connected_at_) {
    connected_at_ = now;
    state_ = PeerState::Connected;
    next_report_ = now + config_.report_interval;
  }
  media_.on_rtp(*packet, now);
}

void WhepPeer::on_rtcp(std::span<const uint8_t> packet, TimePoint now) {
  ++counters_.rtcp_received;
  webrtc::rtcp::CompoundReader reader(packet);
  while (auto p = reader.next()) {
    if (auto sr = webrtc::rtcp::SenderReport::parse(*p)) {
      media_.on_sender_report(sr->sender_ssrc, sr->ntp_timestamp, sr->rtp_timestamp, now);
    }
  }
}

void WhepPeer::on_timer(TimePoint now) {
  if (state_ == PeerState::Failed) return;
  if (size_t n = ice_.poll(now, scratch_); n > 0) queue(std::span(scratch_).first(n));
  ice_.on_timer(now);
  if (ice_.state() == IceCheckState::Failed) {
    fail(ice_.failure_reason());
    return;
  }
  if (dtls_started_) {
    if (auto at = dtls_.next_timeout(now); at && *at <= now) dtls_.handle_timeout(now);
    after_dtls();
  }
  if (!srtp_out_) return;
  // Reports start with the keys: an RR before media tells the sender we are listening.
  if (next_report_ == TimePoint{}) next_report_ = now;
  if (now >= next_report_) {
    send_report(now);
    next_report_ = now + config_.report_interval;
  }
  if (config_.nack) send_nacks(now);
}

WhepPeer::TimePoint WhepPeer::next_timeout(TimePoint now) const noexcept {
  TimePoint next = ice_.next_check();
  if (dtls_started_) {
    if (auto at = dtls_.next_timeout(now)) next = std::min(next, *at);
  }
  if (srtp_out_) next = std::min(next, next_report_ == TimePoint{} ? now : next_report_);
  if (config_.nack && srtp_out_) next = std::min(next, now + std::chrono::milliseconds(20));
  return next;
}

void WhepPeer::send_report(TimePoint now) {
  std::array<webrtc::rtcp::ReportBlock, MediaReceiver::MaxStreams> blocks{};
  const size_t count = media_.report_blocks(now, blocks);
  const size_t n = write_receiver_report(scratch_, config_.rtcp_ssrc, config_.cname,
                                         std::span(blocks).first(count));
  if (n > 0) {
    send_rtcp(n);
    ++counters_.reports_sent;
  }
}

void WhepPeer::send_nacks(TimePoint now) {
  media_.due_nacks(now, [&](uint32_t media_ssrc, std::span<const uint16_t> lost) {
    const size_t n = write_nack(scratch_, config_.rtcp_ssrc, media_ssrc, lost);
    if (n == 0) return;
    send_rtcp(n);
    ++counters_.nacks_sent;
    counters_.nacked_packets += lost.size();
  });
}

void WhepPeer::send_rtcp(size_t size) {
  if (auto n = srtp_out_->protect_rtcp(scratch_, size)) queue(std::span(scratch_).first(*n));
}

void WhepPeer::close() {
  if (dtls_.state() == dtls::DtlsState::Connected) {
    dtls_.close();
    for (auto& out : dtls_.take_outgoing())
      outgoing_.push_back(std::move(out));
  }
}

void WhepPeer::fail(std::string reason) {
  if (state_ == PeerState::Failed) return;
  state_ = PeerState::Failed;
  failure_reason_ = std::move(reason);
}

void WhepPeer::queue(std::span<const uint8_t> bytes) {
  outgoing_.emplace_back(bytes.begin(), bytes.end());
}

std::vector<std::vector<uint8_t>> WhepPeer::take_outgoing() {
  std::vector<std::vector<uint8_t>> out;
  out.swap(outgoing_);
  return out;
}

PeerCounters WhepPeer::counters() const noexcept {
  PeerCounters c = counters_;
  if (srtp_in_) {
    c.srtp_auth_failures = srtp_in_->errors().auth_fail;
    c.srtp_replays = srtp_in_->errors().replay;
    c.srtp_other_errors = srtp_in_->errors().other;
  }
  return c;
}

std::optional<uint16_t> WhepPeer::srtp_profile() const noexcept {
  const auto& keys = dtls_.srtp_keys();
  if (!keys) return std::nullopt;
  return keys->profile;
}

}  // namespace tools::whep_client
