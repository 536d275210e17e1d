#include "whep_client/media_receiver.hpp"

#include <algorithm>

#include "media/h264_sps.hpp"
#include "webrtc/rtp/nal_unit.hpp"

namespace tools::whep_client {

namespace rtp = webrtc::rtp;
using namespace std::chrono_literals;

namespace {

// As RFC 4585 3.1 "early feedback": a gap is asked for at once, then retried a few times.
constexpr NackTrackerConfig NackAtOnce{
    .reorder_wait = 0ms, .retry_interval = 100ms, .max_sends = 3};

}  // namespace

MediaReceiver::Stream::Stream(uint32_t ssrc, Kind k, uint32_t clock_rate, bool nack)
    : kind(k), stats(ssrc, clock_rate) {
  if (kind == Kind::Video) {
    depacketizer = std::make_unique<rtp::H264Depacketizer>();
    if (nack) nacks = std::make_unique<NackTracker>(NackAtOnce);
  }
}

MediaReceiver::MediaReceiver(const AnswerInfo& answer, bool nack)
    : answer_(answer),
      nack_(nack),
      nack_scratch_(MaxNacksPerBatch),
      pcm_(media::OpusDecoder::MaxFrameSamples * 2) {
  streams_.reserve(MaxStreams);
}
MediaReceiver::~MediaReceiver() = default;
MediaReceiver::MediaReceiver(MediaReceiver&&) noexcept = default;
MediaReceiver& MediaReceiver::operator=(MediaReceiver&&) noexcept = default;

MediaReceiver::Stream* MediaReceiver::find_or_add(uint32_t ssrc, Kind kind) {
  for (auto& [s, stream] : streams_) {
    if (s == ssrc) return stream.kind == kind ? &stream : nullptr;
  }
  if (streams_.size() >= MaxStreams) return nullptr;
  const uint32_t clock = kind == Kind::Video ? 90000 : 48000;
  streams_.emplace_back(ssrc, Stream(ssrc, kind, clock, nack_));
  return &streams_.back().second;
}

void MediaReceiver::on_rtp(const rtp::RtpPacketView& packet, TimePoint now) {
  const uint8_t pt = packet.payload_type();
  if (std::find(answer_.video_pts.begin(), answer_.video_pts.end(), pt) !=
      answer_.video_pts.end()) {
    ++video_.packets;
    video_.bytes += packet.payload().size();
    if (Stream* s = find_or_add(packet.ssrc(), Kind::Video)) {
      on_video(*s, packet, now);
    } else {
      ++untracked_packets_;
    }
    return;
  }
  for (const RtxMapping& m : answer_.rtx) {
    if (m.rtx_pt == pt) {
      ++video_.rtx_packets;
      on_rtx(packet, now);
      return;
    }
  }
  if (answer_.audio_pt && *answer_.audio_pt == pt) {
    ++audio_.packets;
    audio_.bytes += packet.payload().size();
    if (Stream* s = find_or_add(packet.ssrc(), Kind::Audio)) {
      if (s->stats.on_packet(packet.sequence_number(), packet.timestamp(), now)) {
        if (!audio_ssrc_ || *audio_ssrc_ == packet.ssrc()) {
          audio_timeline_.on_packet(packet.timestamp(), now);
        }
        on_audio(packet);
      }
    } else {
      ++untracked_packets_;
    }
    return;
  }
  ++unknown_packets_;
}

void MediaReceiver::on_video(Stream& s, const rtp::RtpPacketView& packet, TimePoint now) {
  if (!s.stats.on_packet(packet.sequence_number(), packet.timestamp(), now)) return;
  if (!video_ssrc_) video_ssrc_ = packet.ssrc();
  if (*video_ssrc_ == packet.ssrc()) video_timeline_.on_packet(packet.timestamp(), now);
  if (s.nacks) s.nacks->on_packet(packet.sequence_number(), now);
  s.depacketizer->push(
      packet, [&](const rtp::H264Depacketizer::AccessUnit& au) { on_access_unit(au, now); });
}

// RFC 7587 4.2: the payload is exactly one Opus packet. Decoded in arrival order without a
// jitter buffer: enough to prove the tone arrives, not to play it.
void MediaReceiver::on_audio(const rtp::RtpPacketView& packet) {
  if (!audio_ssrc_) audio_ssrc_ = packet.ssrc();
  if (*audio_ssrc_ != packet.ssrc() || packet.payload().empty()) return;
  const auto frames = opus_.decode(packet.payload(), pcm_);
  if (!frames) return;
  decoded_frames_ += *frames;
  tone_.push(std::span<const float>(pcm_.data(), *frames * 2));
  av_sync_.on_audio(packet.timestamp(), std::span<const float>(pcm_.data(), *frames * 2), 2);
}

// RFC 4588 4: the RTX payload starts with the original sequence number (OSN). The repaired
// packet is too late for the depacketizer (it has no jitter buffer) but fills the loss count
// and cancels further NACKs.
void MediaReceiver::on_rtx(const rtp::RtpPacketView& packet, TimePoint now) {
  const auto payload = packet.payload();
  if (payload.size() < 2) return;  // padding-only RTX probes carry no OSN
  const uint16_t osn = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
  // One video stream in practice: the first one is the one repaired.
  for (auto& [ssrc, s] : streams_) {
    if (s.kind != Kind::Video) continue;
    s.stats.on_packet(osn, packet.timestamp(), now);
    if (s.nacks) s.nacks->on_packet(osn, now);
    return;
  }
}

void MediaReceiver::on_access_unit(const rtp::H264Depacketizer::AccessUnit& au, TimePoint now) {
  if (!au.complete) {
    ++video_.incomplete_frames;
    return;
  }
  ++video_.frames;
  if (!first_frame_at_) first_frame_at_ = now;
  if (!au.keyframe) return;
  ++video_.keyframes;
  av_sync_.on_keyframe(au.timestamp);
  if (!first_keyframe_at_) first_keyframe_at_ = now;
  rtp::AvccReader reader(au.avcc);
  while (auto nal = reader.next()) {
    if (rtp::nal_unit_type(*nal) != rtp::nal_type::Sps) continue;
    if (auto sps = media::H264Sps::parse(*nal)) {
      video_.width = sps->width;
      video_.height = sps->height;
    }
    break;
  }
}

void MediaReceiver::on_sender_report(uint32_t ssrc, uint64_t ntp, uint32_t rtp_timestamp,
                                     TimePoint now) noexcept {
  for (auto& [s, stream] : streams_) {
    if (s != ssrc) continue;
    stream.stats.on_sender_report(ntp, now);
    av_sync_.on_sender_report(stream.kind == Kind::Video, ntp, rtp_timestamp);
    if (video_ssrc_ == ssrc) video_timeline_.on_sender_report(ntp, rtp_timestamp);
    if (audio_ssrc_ == ssrc) audio_timeline_.on_sender_report(ntp, rtp_timestamp);
  }
}

size_t MediaReceiver::report_blocks(TimePoint now,
                                    std::span<webrtc::rtcp::ReportBlock> out) noexcept {
  size_t n = 0;
  for (auto& [ssrc, s] : streams_) {
    if (n == out.size()) break;
    out[n++] = s.stats.make_report_block(now);
  }
  return n;
}

VideoCounters MediaReceiver::video() const noexcept {
  VideoCounters v = video_;
  v.lost = 0;
  for (const auto& [ssrc, s] : streams_) {
    if (s.kind == Kind::Video) v.lost += s.stats.lost();
  }
  return v;
}

AudioCounters MediaReceiver::audio() const noexcept {
  AudioCounters a = audio_;
  for (const auto& [ssrc, s] : streams_) {
    if (s.kind == Kind::Audio) a.lost += s.stats.lost();
  }
  a.decoded_ms = decoded_frames_ * 1000 / media::OpusDecoder::SampleRate;
  a.decode_errors = opus_.errors();
  if (tone_.buffered_frames() > 0) {
    const media::ToneEstimate e = tone_.estimate();
    a.level_dbfs = e.level_dbfs;
    if (e.frequency_hz > 0) a.tone_hz = e.frequency_hz;
  }
  return a;
}

uint64_t MediaReceiver::nack_recovered() const noexcept {
  uint64_t n = 0;
  for (const auto& [ssrc, s] : streams_) {
    if (s.nacks) n += s.nacks->recovered();
  }
  return n;
}

}  // namespace tools::whep_client
