#include "load_client/viewer_session.hpp"

#include <algorithm>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/rtcp_packet.hpp"
#include "webrtc/rtcp/sender_report.hpp"
#include "webrtc/stun/stun_message.hpp"
#include "whep_client/feedback_writer.hpp"

namespace bench::load_client {

namespace rtp = webrtc::rtp;
using tools::whep_client::AnswerInfo;

ViewerSession::Stream::Stream(uint32_t s, Kind k, tools::whep_client::NackTrackerConfig nack_config)
    : ssrc(s), kind(k), stats(s, k == Kind::Audio ? 48000 : 90000), nacks(nack_config) {}

ViewerSession::ViewerSession(ViewerSessionConfig config, const AnswerInfo& answer, TimePoint now)
    : config_(std::move(config)), answer_(answer), transport_(config_.transport, answer, now) {
  streams_.reserve(MaxStreams);
  if (config_.sample_auth == 0) config_.sample_auth = 1;
  if (config_.transport_cc && answer.transport_cc_extension) {
    transport_cc_id_ = answer.transport_cc_extension;
    feedback_.emplace(now);
  }
}

ViewerSession::~ViewerSession() = default;

void ViewerSession::handle_datagram(std::span<uint8_t> d, TimePoint now) {
  if (transport_.handle_datagram(d, now)) on_srtp(d, now);
}

ViewerSession::Kind ViewerSession::classify(uint8_t pt) const noexcept {
  const auto& v = answer_.video_pts;
  if (std::find(v.begin(), v.end(), pt) != v.end()) return Kind::Video;
  for (const auto& m : answer_.rtx) {
    if (m.rtx_pt == pt) return Kind::Rtx;
  }
  if (answer_.audio_pt && *answer_.audio_pt == pt) return Kind::Audio;
  return Kind::Unknown;
}

void ViewerSession::on_srtp(std::span<uint8_t> d, TimePoint now) {
  webrtc::srtp::SrtpSession* srtp_in = transport_.srtp_in();
  if (!srtp_in) {
    ++counters_.unknown;  // media before the keys: cannot be read
    return;
  }
  if (webrtc::rtcp::is_rtcp(d)) {
    if (auto n = srtp_in->unprotect_rtcp(d, d.size())) on_rtcp(d.first(*n), now);
    return;
  }
  const size_t tag = srtp_in->rtp_trailer();
  if (d.size() < rtp::FixedHeaderSize + tag) {
    ++counters_.unknown;
    return;
  }
  // RFC 3711 3.1: the RTP header travels in clear; only the payload is encrypted. Payloads are
  // read until the first keyframe is whole, RTX for its original sequence number, and a sample.
  // The first packet of every SSRC is read too: the SRTP receiver starts its rollover counter
  // there (RFC 3711 3.3.1), and a first sample taken after a sequence wrap would put it one
  // roll behind the sender for good.
  const Kind kind = classify(d[1] & 0x7F);
  std::optional<rtp::RtpPacketView> packet;
  const uint32_t ssrc =
      (uint32_t{d[8]} << 24) | (uint32_t{d[9]} << 16) | (uint32_t{d[10]} << 8) | d[11];
  const bool new_ssrc = std::none_of(streams_.begin(), streams_.end(),
                                     [&](const Stream& s) { return s.ssrc == ssrc; });
  const bool must_read = !transport_.connected_at() || new_ssrc || kind == Kind::Rtx ||
                         (kind == Kind::Video && !keyframe_.done());
  const bool sampled = ++sample_counter_ % config_.sample_auth == 0;
  if (!must_read && !sampled) packet = rtp::RtpPacketView::parse(d.first(d.size() - tag));
  const bool clear = !packet;  // also when the header-only parse failed (encrypted padding)
  if (clear) {
    ++counters_.auth_checked;
    const auto n = srtp_in->unprotect_rtp(d, d.size());
    if (!n) return;  // counted by the session (auth failures, replays)
    packet = rtp::RtpPacketView::parse(d.first(*n));
    if (!packet) {
      ++counters_.unknown;
      return;
    }
  }
  transport_.on_media(now);
  if (kind != Kind::Unknown) {
    record_transport_sequence(*packet, now);
    const auto since = frames_counted_since();
    if (since && now >= *since) counters_.window_bytes += packet->bytes().size();
  }
  on_rtp(*packet, kind, clear, now);
}

// The extension travels in the clear header (RFC 3711 3.1), so sampled-out packets count too.
void ViewerSession::record_transport_sequence(const rtp::RtpPacketView& p, TimePoint now) {
  if (!feedback_) return;
  const auto value = p.find_extension(*transport_cc_id_);
  if (!value || value->size() != 2) return;  // the draft's 2-byte big-endian sequence number
  feedback_->on_packet(static_cast<uint16_t>(((*value)[0] << 8) | (*value)[1]), now);
  if (feedback_->waiting() >= TransportFeedbackRecorder::SendAfterPackets) send_feedback(now);
}

// Due feedback goes out at once; a range longer than one packet holds leaves in a few.
void ViewerSession::send_feedback(TimePoint now) {
  if (!feedback_ || !transport_.can_send_rtcp()) return;
  constexpr int MaxPerCall = 4;
  uint32_t media_ssrc = answer_.video_ssrcs.empty() ? 0 : answer_.video_ssrcs.front();
  for (const auto& s : streams_) {
    if (media_ssrc == 0 && s.kind == Kind::Video) media_ssrc = s.ssrc;
  }
  for (int i = 0; i < MaxPerCall && feedback_->due(now); ++i) {
    const size_t n = feedback_->write(config_.rtcp_ssrc, media_ssrc, now, transport_.rtcp_buffer());
    if (n > 0) transport_.send_rtcp(n);
  }
}

void ViewerSession::on_rtp(const rtp::RtpPacketView& p, Kind kind, bool clear, TimePoint now) {
  if (kind == Kind::Rtx) {
    ++counters_.rtx_packets;
    on_rtx(p, now);
    return;
  }
  if (kind == Kind::Unknown) {
    ++counters_.unknown;
    return;
  }
  Stream* s = stream(p.ssrc(), kind);
  if (!s) {
    ++counters_.unknown;
    return;
  }
  if (!s->stats.on_packet(p.sequence_number(), p.timestamp(), now)) return;
  if (kind == Kind::Audio) {
    ++counters_.audio_packets;
    counters_.audio_bytes += p.payload().size();
    return;
  }
  on_video(*s, p, clear, now);
}

void ViewerSession::on_video(Stream& s, const rtp::RtpPacketView& p, bool clear, TimePoint now) {
  ++counters_.video_packets;
  counters_.video_bytes += p.payload().size();
  if (config_.nack) s.nacks.on_packet(p.sequence_number(), now);
  const auto since = frames_counted_since();
  const double arrival_ms =
      std::chrono::duration<double, std::milli>(now.time_since_epoch()).count();
  if (s.frames.on_packet(p.sequence_number(), p.marker(), since && now >= *since, p.timestamp(),
                         arrival_ms)) {
    freezes_.on_frame(now);
  }
  if (clear && keyframe_.on_packet(p.sequence_number(), p.timestamp(), p.marker(), p.payload()))
    first_keyframe_at_ = now;
}

// RFC 4588 4: the RTX payload starts with the original sequence number (OSN). The repair fills
// the loss count and stops further NACKs; one video stream in practice.
void ViewerSession::on_rtx(const rtp::RtpPacketView& p, TimePoint now) {
  const auto payload = p.payload();
  if (payload.size() < 2) return;  // padding-only probes carry no OSN
  const auto osn = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
  for (auto& s : streams_) {
    if (s.kind != Kind::Video) continue;
    s.stats.on_packet(osn, p.timestamp(), now);
    s.nacks.on_packet(osn, now);
    return;
  }
}

std::optional<ViewerSession::TimePoint> ViewerSession::frames_counted_since() const noexcept {
  if (!first_keyframe_at_) return std::nullopt;
  return std::max(count_from_, *first_keyframe_at_ + settle_);
}

ViewerSession::Stream* ViewerSession::stream(uint32_t ssrc, Kind kind) {
  for (auto& s : streams_) {
    if (s.ssrc == ssrc) return s.kind == kind ? &s : nullptr;
  }
  if (streams_.size() >= MaxStreams) return nullptr;
  return &streams_.emplace_back(ssrc, kind, config_.nack_config);
}

void ViewerSession::on_rtcp(std::span<const uint8_t> packet, TimePoint now) {
  webrtc::rtcp::CompoundReader reader(packet);
  while (auto p = reader.next()) {
    const auto sr = webrtc::rtcp::SenderReport::parse(*p);
    if (!sr) continue;
    for (auto& s : streams_) {
      if (s.ssrc == sr->sender_ssrc) s.stats.on_sender_report(sr->ntp_timestamp, now);
    }
  }
}

void ViewerSession::on_timer(TimePoint now) {
  if (!transport_.on_timer(now)) return;
  if (transport_.report_due(now)) send_report(now);
  if (config_.nack && transport_.can_send_rtcp()) send_nacks(now);
  send_feedback(now);
}

ViewerSession::TimePoint ViewerSession::next_timeout(TimePoint now) const noexcept {
  TimePoint next = transport_.next_timeout(now);
  if (config_.nack && transport_.can_send_rtcp()) {
    for (const auto& s : streams_) {
      if (auto at = s.nacks.next_due()) next = std::min(next, *at);
    }
  }
  if (feedback_ && transport_.can_send_rtcp()) {
    if (auto at = feedback_->next_due()) next = std::min(next, std::max(*at, now));
  }
  return next;
}

void ViewerSession::send_report(TimePoint now) {
  std::array<webrtc::rtcp::ReportBlock, MaxStreams> blocks{};
  size_t count = 0;
  for (auto& s : streams_)
    blocks[count++] = s.stats.make_report_block(now);
  const size_t n = tools::whep_client::write_receiver_report(
      transport_.rtcp_buffer(), config_.rtcp_ssrc, "load", std::span(blocks).first(count));
  if (n == 0) return;
  transport_.send_rtcp(n);
  ++counters_.reports_sent;
}

void ViewerSession::send_nacks(TimePoint now) {
  for (auto& s : streams_) {
    if (s.kind != Kind::Video) continue;
    const size_t count = s.nacks.due(now, nack_scratch_);
    if (count == 0) continue;
    const size_t n = tools::whep_client::write_nack(transport_.rtcp_buffer(), config_.rtcp_ssrc,
                                                    s.ssrc, std::span(nack_scratch_).first(count));
    if (n == 0) continue;
    transport_.send_rtcp(n);
    ++counters_.nacks_sent;
    counters_.nacked_packets += count;
  }
}

std::optional<double> ViewerSession::max_freeze_ms(TimePoint end) const noexcept {
  const auto since = frames_counted_since();
  if (!since) return std::nullopt;
  return freezes_.max_freeze_ms(*since, end);
}

ViewerCounters ViewerSession::counters() const noexcept {
  ViewerCounters c = counters_;
  c.unknown += transport_.unknown_datagrams();
  for (const auto& s : streams_) {
    if (s.kind == Kind::Video) {
      c.video_expected += s.stats.expected();
      c.video_lost += s.stats.lost();
      c.whole_frames += s.frames.whole_frames();
      c.broken_frames += s.frames.broken_frames();
      c.lag_ms = std::max(c.lag_ms, s.frames.lag_ms());
      c.nack_recovered += s.nacks.recovered();
    } else if (s.kind == Kind::Audio) {
      c.audio_expected += s.stats.expected();
      c.audio_lost += s.stats.lost();
    }
  }
  if (feedback_) {
    c.feedbacks_sent = feedback_->feedbacks_sent();
    c.feedback_dropped = feedback_->dropped();
  }
  if (const auto* srtp_in = transport_.srtp_in()) {
    c.auth_failures = srtp_in->errors().auth_fail;
    c.replays = srtp_in->errors().replay;
  }
  return c;
}

}  // namespace bench::load_client
