#include "whep_client/whep_peer.hpp"

#include <algorithm>
#include <array>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/sender_report.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "whep_client/feedback_writer.hpp"

namespace tools::whep_client {

WhepPeer::WhepPeer(PeerConfig config, const AnswerInfo& answer, TimePoint now)
    : config_(std::move(config)),
      transport_(config_.transport, answer, now),
      media_(answer, config_.nack) {}

WhepPeer::~WhepPeer() = default;

void WhepPeer::handle_datagram(std::span<uint8_t> d, TimePoint now) {
  if (transport_.handle_datagram(d, now)) on_srtp(d, now);
}

void WhepPeer::on_srtp(std::span<uint8_t> d, TimePoint now) {
  webrtc::srtp::SrtpSession* srtp_in = transport_.srtp_in();
  if (!srtp_in) {
    ++counters_.dropped_before_srtp;
    return;
  }
  if (webrtc::rtcp::is_rtcp(d)) {
    if (auto n = srtp_in->unprotect_rtcp(d, d.size())) on_rtcp(d.first(*n), now);
    return;
  }
  auto n = srtp_in->unprotect_rtp(d, d.size());
  if (!n) return;  // counted by the session (auth failures, replays)
  auto packet = webrtc::rtp::RtpPacketView::parse(d.first(*n));
  if (!packet) {
    ++counters_.unknown_datagrams;
    return;
  }
  if (transport_.on_media(now)) transport_.defer_report(now);
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
  if (!transport_.on_timer(now)) return;
  if (transport_.report_due(now)) send_report(now);
  if (config_.nack && transport_.can_send_rtcp()) send_nacks(now);
}

WhepPeer::TimePoint WhepPeer::next_timeout(TimePoint now) const noexcept {
  const TimePoint next = transport_.next_timeout(now);
  // NACK retries are polled: MediaReceiver does not say when the next one is due.
  if (!config_.nack || !transport_.can_send_rtcp()) return next;
  return std::min(next, now + std::chrono::milliseconds(20));
}

void WhepPeer::send_report(TimePoint now) {
  std::array<webrtc::rtcp::ReportBlock, MediaReceiver::MaxStreams> blocks{};
  const size_t count = media_.report_blocks(now, blocks);
  const size_t n = write_receiver_report(transport_.rtcp_buffer(), config_.rtcp_ssrc, config_.cname,
                                         std::span(blocks).first(count));
  if (n > 0) {
    transport_.send_rtcp(n);
    ++counters_.reports_sent;
  }
}

void WhepPeer::send_nacks(TimePoint now) {
  media_.due_nacks(now, [&](uint32_t media_ssrc, std::span<const uint16_t> lost) {
    const size_t n = write_nack(transport_.rtcp_buffer(), config_.rtcp_ssrc, media_ssrc, lost);
    if (n == 0) return;
    transport_.send_rtcp(n);
    ++counters_.nacks_sent;
    counters_.nacked_packets += lost.size();
  });
}

PeerCounters WhepPeer::counters() const noexcept {
  PeerCounters c = counters_;
  c.unknown_datagrams += transport_.unknown_datagrams();
  if (const auto* srtp_in = transport_.srtp_in()) {
    c.srtp_auth_failures = srtp_in->errors().auth_fail;
    c.srtp_replays = srtp_in->errors().replay;
    c.srtp_other_errors = srtp_in->errors().other;
  }
  return c;
}

}  // namespace tools::whep_client
