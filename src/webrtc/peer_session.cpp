#include "webrtc/peer_session.hpp"

#include <array>

#include "base/datagram_kind.hpp"
#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/fir.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/ntp_time.hpp"
#include "webrtc/rtcp/pli.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/remb.hpp"
#include "webrtc/rtcp/sdes.hpp"
#include "webrtc/rtcp/sender_report.hpp"
#include "webrtc/rtcp/transport_cc.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace webrtc {
namespace {

dtls::DtlsConfig dtls_config(const PeerSessionConfig& c) {
  dtls::DtlsConfig d;
  d.role = dtls::DtlsRole::Server;  // we answer a=setup:passive
  d.remote_fingerprint = c.remote_fingerprint;
  d.release_after_handshake = true;  // about 68 KB per viewer; browsers need no more DTLS
  return d;
}

using Kind = base::DatagramKind;  // RFC 7983 demultiplexing by the first byte

std::unique_ptr<SendSideBandwidth> make_bandwidth(const PeerSessionConfig& c) {
  if (!c.transport_cc_extension && !c.remb) return nullptr;
  return std::make_unique<SendSideBandwidth>(c.bandwidth);
}

std::unique_ptr<TransportSequencer> make_sequencer(const PeerSessionConfig& c,
                                                   SendSideBandwidth* bandwidth) {
  if (!c.transport_cc_extension || !bandwidth) return nullptr;
  return std::make_unique<TransportSequencer>(*c.transport_cc_extension, *bandwidth);
}

}  // namespace

PeerSession::PeerSession(PeerSessionConfig config, DatagramSink& sink,
                         std::shared_ptr<const PacketHistory> video_history,
                         std::shared_ptr<const PacketHistory> audio_history, TimePoint now)
    : config_(std::move(config)),
      sink_(sink),
      ice_(config_.local_ice, config_.remote_ice, now, config_.ice),
      dtls_(config_.dtls_context, dtls_config(config_)),
      bandwidth_(make_bandwidth(config_)),
      sequencer_(make_sequencer(config_, bandwidth_.get())),
      video_(config_.video, *this, std::move(video_history), config_.egress, sequencer_.get()),
      created_(now) {
  if (config_.audio) {
    auto audio = *config_.audio;
    audio.clock_rate = 48000;
    audio.sent_runs = 64;  // never replayed: live audio is one run
    audio_.emplace(audio, static_cast<RtpSink&>(*this), std::move(audio_history), config_.egress,
                   sequencer_.get());
  }
  if (dtls_.state() == dtls::DtlsState::Failed) close("DTLS setup: " + dtls_.failure_reason());
}

PeerSession::~PeerSession() = default;

void PeerSession::on_datagram(std::span<uint8_t> datagram, const TransportAddress& from,
                              TimePoint now, WallTime wall) {
  if (closed()) return;
  switch (base::classify_datagram(datagram)) {
    case Kind::Stun:
      on_stun(datagram, from, now);
      break;
    case Kind::Dtls:
      on_dtls(datagram, now);
      break;
    case Kind::Rtp:
      on_srtcp(datagram, now, wall);
      break;
    case Kind::Other:
      ++stats_.dropped_datagrams;
      break;
  }
}

void PeerSession::on_stun(std::span<const uint8_t> datagram, const TransportAddress& from,
                          TimePoint now) {
  if (auto response = ice_.handle_binding_request(datagram, from, now)) {
    sink_.send_datagram(response->bytes(), from);
    last_heard_ = now;
  }
  if (state_ == PeerState::New && ice_.selected_address()) state_ = PeerState::Connecting;
}

void PeerSession::on_dtls(std::span<const uint8_t> datagram, TimePoint now) {
  if (!ice_.selected_address()) {
    ++stats_.dropped_datagrams;  // DTLS before a valid ICE check: not from our peer
    return;
  }
  dtls_.feed(datagram);
  flush_dtls();
  if (dtls_.alerts_after_release() != alerts_seen_) {
    alerts_seen_ = dtls_.alerts_after_release();
    leave_hint_at_ = now;
  }
  if (dtls_.state() == dtls::DtlsState::Failed) {
    close("DTLS failed: " + dtls_.failure_reason());
  } else if (dtls_.state() == dtls::DtlsState::Closed) {
    close("peer closed DTLS");
  } else if (dtls_.state() == dtls::DtlsState::Connected && !srtp_out_) {
    start_srtp(now);
  }
}

void PeerSession::flush_dtls() {
  const auto to = ice_.selected_address();
  for (const auto& d : dtls_.take_outgoing()) {
    if (to) sink_.send_datagram(d, *to);
  }
}

void PeerSession::start_srtp(TimePoint now) {
  const auto& keys = dtls_.srtp_keys();
  const auto profile = keys ? srtp::srtp_profile_from_id(keys->profile) : std::nullopt;
  if (!profile) {
    close("DTLS gave no usable SRTP profile");
    return;
  }
  srtp_out_ = srtp::SrtpSession::create(*profile, srtp::SrtpDirection::Outbound, keys->local_key,
                                        keys->local_salt);
  srtp_in_ = srtp::SrtpSession::create(*profile, srtp::SrtpDirection::Inbound, keys->remote_key,
                                       keys->remote_salt);
  if (!srtp_out_ || !srtp_in_) {
    close("SRTP session setup failed");
    return;
  }
  state_ = PeerState::Connected;
  stats_.connect_time = std::chrono::duration_cast<std::chrono::milliseconds>(now - created_);
  keyframe_requested_ = true;  // start with a picture: replay from the last keyframe
  // That replay answers the PLI a browser sends as it starts receiving; replaying the GOP twice
  // in a row only doubles the burst.
  last_keyframe_request_ = now;
  next_report_ = now;
}

bool PeerSession::pace(TimePoint now) {
  if (!ready()) return false;
  set_now(now);
  const bool video = video_.pace(now);
  const bool audio = audio_ && audio_->pace(now);
  if (probe_until_ && now >= *probe_until_) {
    probe_until_.reset();
    sequencer_->set_probe_cluster(-1);
  }
  return video || audio || probe_until_.has_value();
}

std::optional<int64_t> PeerSession::estimate_bps() const noexcept {
  if (!bandwidth_) return std::nullopt;
  return bandwidth_->estimate_bps();
}

bool PeerSession::start_probe(int cluster, int64_t target_bps, int64_t media_bps,
                              std::chrono::milliseconds duration, TimePoint now) {
  if (!ready() || !sequencer_ || !config_.video.rtx_payload_type || probe_until_) return false;
  set_now(now);
  // The cluster is everything sent while it lasts, media included: its rate is the total the
  // link is asked to carry. The copies fill the gap between the media and the target.
  sequencer_->set_probe_cluster(cluster);
  probe_until_ = now + duration;
  video_.start_probe(std::max<int64_t>(target_bps - media_bps, target_bps / 4), *probe_until_, now);
  ++stats_.probes;
  return true;
}

std::optional<PeerSession::TimePoint> PeerSession::next_pace_due() const noexcept {
  auto due = video_.next_pace_due();
  if (probe_until_ && (!due || *probe_until_ < *due)) due = probe_until_;
  if (audio_) {
    if (auto a = audio_->next_pace_due(); a && (!due || *a < *due)) due = a;
  }
  return due;
}

bool PeerSession::take_keyframe_request() noexcept {
  const bool r = keyframe_requested_ && ready();
  keyframe_requested_ = false;
  return r;
}

void PeerSession::send_rtp(std::span<uint8_t> buffer, size_t length) {
  const auto to = ice_.selected_address();
  if (!srtp_out_ || !to) return;
  if (auto n = srtp_out_->protect_rtp(buffer, length)) sink_.send_datagram(buffer.first(*n), *to);
}

void PeerSession::on_srtcp(std::span<uint8_t> datagram, TimePoint now, WallTime wall) {
  if (!srtp_in_ || !rtcp::is_rtcp(datagram)) {
    ++stats_.dropped_datagrams;  // we receive no RTP from a viewer
    return;
  }
  const auto n = srtp_in_->unprotect_rtcp(datagram, datagram.size());
  if (!n) {
    stats_.srtp_auth_failures = srtp_in_->errors().auth_fail;
    ++stats_.dropped_datagrams;
    return;
  }
  ++stats_.rtcp_received;
  last_heard_ = now;
  on_feedback(datagram.first(*n), now, wall);
}

void PeerSession::on_feedback(std::span<const uint8_t> rtcp_bytes, TimePoint now, WallTime wall) {
  rtcp::CompoundReader reader(rtcp_bytes);
  set_now(now);
  while (auto packet = reader.next()) {
    if (bandwidth_ && on_bandwidth_feedback(*packet, now)) continue;
    if (packet->type == rtcp::packet_type::ReceiverReport ||
        packet->type == rtcp::packet_type::SenderReport) {
      const auto rr = rtcp::ReceiverReport::parse(*packet);
      const auto sr = rr ? std::nullopt : rtcp::SenderReport::parse(*packet);
      on_report_blocks(rr   ? rr->report_blocks
                       : sr ? sr->report_blocks
                            : rtcp::ReportBlocks{},
                       wall);
    } else if (auto nack = rtcp::GenericNack::parse(*packet)) {
      ++stats_.nack_packets;
      const bool audio = audio_ && nack->media_ssrc() == audio_->ssrc();
      (audio ? *audio_ : video_).on_nack(*nack, now, stats_.rtt);
    } else if (rtcp::Pli::parse(*packet) || rtcp::Fir::parse(*packet)) {
      if (rtcp::Pli::parse(*packet))
        ++stats_.plis;
      else
        ++stats_.firs;
      if (now - last_keyframe_request_ >= config_.keyframe_request_interval) {
        last_keyframe_request_ = now;
        keyframe_requested_ = true;
      }
    }
  }
  if (reader.failed()) ++stats_.rtcp_malformed;
}

bool PeerSession::on_bandwidth_feedback(const rtcp::RtcpPacket& packet, TimePoint now) {
  if (packet.type == rtcp::packet_type::RtpFeedback) {
    auto twcc = rtcp::TransportCc::parse(packet);
    if (!twcc) return false;
    if (sequencer_) bandwidth_->on_transport_cc(*twcc, now);
    return true;
  }
  if (packet.type == rtcp::packet_type::PayloadFeedback) {
    auto remb = rtcp::Remb::parse(packet);
    if (!remb) return false;
    bandwidth_->on_remb(static_cast<int64_t>(std::min<uint64_t>(remb->bitrate_bps(), INT64_MAX)),
                        now);
    return true;
  }
  return false;
}

void PeerSession::on_report_blocks(const rtcp::ReportBlocks& blocks, WallTime wall) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    const auto b = blocks[i];
    if (b.ssrc != video_.ssrc()) continue;
    stats_.fraction_lost = b.fraction_lost;
    stats_.cumulative_lost = b.cumulative_lost;
    stats_.jitter = b.jitter;
    if (auto rtt = b.round_trip_time(rtcp::compact_ntp(rtcp::to_ntp(wall)))) stats_.rtt = rtt;
  }
}

void PeerSession::send_report(const TrackSender& track, uint32_t clock_rate, TimePoint now,
                              WallTime wall) {
  const auto last = track.last_frame();
  if (!last || !srtp_out_) return;
  // Both tracks map their timestamps to wall time through the stream's shared sync clock, so
  // the browser can align audio with video (RFC 3550 6.4.1).
  const int64_t since_frame_ns = now.time_since_epoch().count() - last->second;
  rtcp::SenderReport sr;
  sr.sender_ssrc = track.ssrc();
  sr.ntp_timestamp = rtcp::to_ntp(wall);
  sr.rtp_timestamp =
      last->first + static_cast<uint32_t>(since_frame_ns * clock_rate / 1'000'000'000);
  sr.packet_count = static_cast<uint32_t>(track.stats().packets);
  sr.octet_count = static_cast<uint32_t>(track.stats().payload_bytes);  // RFC 3550 6.4.1
  const rtcp::SdesChunk chunk{track.ssrc(), config_.cname};
  const rtcp::Sdes sdes(std::span<const rtcp::SdesChunk>(&chunk, 1));
  std::array<uint8_t, 512> buf;
  const size_t a = sr.write_to(buf);
  const size_t b = a ? sdes.write_to(std::span<uint8_t>(buf).subspan(a)) : 0;
  if (!a || !b || a + b + srtp::SrtpSession::MaxRtcpTrailer > buf.size()) return;
  const auto to = ice_.selected_address();
  if (auto n = srtp_out_->protect_rtcp(buf, a + b); n && to) {
    sink_.send_datagram(std::span<const uint8_t>(buf.data(), *n), *to);
    last_sr_ntp_ = sr.ntp_timestamp;
  }
}

void PeerSession::on_timer(TimePoint now, WallTime wall) {
  if (closed()) return;
  if (ice_.on_timer(now)) {
    close("ICE consent expired (no STUN from the viewer)");
    return;
  }
  if (!ready() && now - created_ > config_.connect_timeout) {
    close(ice_.selected_address() ? "DTLS handshake not completed in time"
                                  : "no ICE connectivity check received");
    return;
  }
  if (auto t = dtls_.next_timeout(now); t && *t <= now) {
    dtls_.handle_timeout(now);
    flush_dtls();
    if (dtls_.state() == dtls::DtlsState::Failed) {
      close("DTLS failed: " + dtls_.failure_reason());
      return;
    }
  }
  if (leave_hint_at_) {
    if (last_heard_ > *leave_hint_at_) {
      leave_hint_at_.reset();  // still there: the alert was stale or forged
    } else if (now - *leave_hint_at_ >= config_.leave_confirmation) {
      close("viewer left (DTLS alert, then no RTCP or STUN)");
      return;
    }
  }
  if (ready() && now >= next_report_) {
    send_report(video_.sender(), 90000, now, wall);
    if (audio_) send_report(audio_->sender(), 48000, now, wall);
    next_report_ = now + config_.report_interval;
  }
}

void PeerSession::close(std::string reason) {
  if (closed()) return;
  if (dtls_.state() == dtls::DtlsState::Connected) {
    dtls_.close();  // close_notify tells the browser at once
    flush_dtls();
  }
  state_ = PeerState::Closed;
  close_reason_ = std::move(reason);
}

PeerStats PeerSession::stats() const {
  PeerStats s = stats_;
  s.state = state_;
  const auto video = video_.stats();
  s.video = video.sender;
  s.video_nack = video.nack;
  s.paced_replays = video.paced_replays;
  s.paced_joins = video.paced_joins;
  s.paced_keyframes = video.paced_keyframes;
  s.replay_rate_bps = video.replay_rate_bps;
  if (audio_) {
    const auto audio = audio_->stats();
    s.audio = audio.sender;
    s.audio_nack = audio.nack;
  }
  if (srtp_in_) s.srtp_auth_failures = srtp_in_->errors().auth_fail;
  if (bandwidth_) s.bandwidth = bandwidth_->stats();
  return s;
}

}  // namespace webrtc
