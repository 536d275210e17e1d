#include "webrtc/video_track_packetizer.hpp"

#include "webrtc/rtp/rtp_header_writer.hpp"
#include "webrtc/timeline_gap.hpp"

namespace webrtc {
namespace {

constexpr int64_t kMaxJumpMs = 10000;    // a larger pts jump is a new timeline, not a gap
constexpr uint32_t kMinGapTicks = 3000;  // at least one 30 fps frame between two timelines

// Upper bound on packets: payload bytes / FU-A share, plus parameter sets and headers.
size_t h264_packet_bound(const media::Frame& frame) noexcept {
  const size_t room = rtp::H264Packetizer::DefaultMaxPayloadSize - 2;
  return (frame.data.size() + frame.video->sps.size() * 256 + 512) / room + 4;
}

// VP8: the frame's bytes after each payload's descriptor, rounded up.
size_t vp8_packet_count(const media::Frame& frame) noexcept {
  const size_t room =
      rtp::Vp8Packetizer::DefaultMaxPayloadSize - rtp::Vp8Packetizer::DescriptorSize;
  return (frame.data.size() + room - 1) / room;
}

}  // namespace

VideoTrackPacketizer::VideoTrackPacketizer(uint32_t ssrc, uint16_t initial_seq,
                                           uint32_t initial_timestamp, uint16_t initial_picture_id)
    : ssrc_(ssrc),
      next_seq_(initial_seq),
      last_timestamp_(initial_timestamp),
      vp8_packetizer_(rtp::Vp8Packetizer::DefaultMaxPayloadSize, initial_picture_id) {}

uint32_t VideoTrackPacketizer::timestamp_for(const media::Frame& frame, int64_t sync_ns) noexcept {
  const int64_t pts = frame.pts_ms();
  const bool jumped =
      have_timeline_ && (pts - last_pts_ms_ > kMaxJumpMs || last_pts_ms_ - pts > kMaxJumpMs);
  if (!have_timeline_ || discontinuity_ || jumped) {
    timeline_pts_ms_ = pts;
    timeline_rtp_ = last_timestamp_;
    if (have_timeline_) {
      timeline_rtp_ += TimelineGap::ticks(
          sync_ns - last_sync_ns_, frame.arrival_ns - last_arrival_ns_, ClockRate, kMinGapTicks);
    }
    have_timeline_ = true;
  }
  last_pts_ms_ = pts;
  return timeline_rtp_ + static_cast<uint32_t>((pts - timeline_pts_ms_) * (ClockRate / 1000));
}

std::optional<uint32_t> VideoTrackPacketizer::rtp_timestamp_of(int64_t pts_ms) const noexcept {
  if (!have_timeline_) return std::nullopt;
  return timeline_rtp_ + static_cast<uint32_t>((pts_ms - timeline_pts_ms_) * (ClockRate / 1000));
}

bool VideoTrackPacketizer::begin(const media::Frame& frame) noexcept {
  if (frame.codec == media::Codec::VP8) return vp8_packetizer_.begin(frame.data);
  const auto& cfg = *frame.video;
  const rtp::NalUnit sps = cfg.sps.empty() ? rtp::NalUnit{} : rtp::NalUnit(cfg.sps.front());
  const rtp::NalUnit pps = cfg.pps.empty() ? rtp::NalUnit{} : rtp::NalUnit(cfg.pps.front());
  return packetizer_.begin_avcc(frame.data, sps, pps);
}

// Fills `out` with the RTP packets of the frame begun on `packetizer`.
template <typename Packetizer>
void VideoTrackPacketizer::write_packets(Packetizer& packetizer, PacketizedFrame& out) {
  rtp::RtpHeaderWriter header({.marker = false,
                               .payload_type = DefaultPayloadType,
                               .sequence_number = next_seq_,
                               .timestamp = out.rtp_timestamp,
                               .ssrc = ssrc_});
  const size_t header_size = header.size();
  while (!packetizer.done()) {
    const size_t i = out.lengths.size();
    if ((i + 1) * PacketizedFrame::SlotSize > out.slots.size()) {
      out.slots.resize(out.slots.size() * 2);
    }
    std::span<uint8_t> slot(out.slots.data() + i * PacketizedFrame::SlotSize,
                            PacketizedFrame::SlotSize);
    auto payload = packetizer.next(slot.subspan(header_size));
    if (!payload) break;
    header.header().marker = payload->marker;
    header.header().sequence_number = next_seq_++;
    header.write_to(slot);
    out.lengths.push_back(static_cast<uint16_t>(header_size + payload->size));
  }
}

PacketizedFramePtr VideoTrackPacketizer::packetize(const media::Frame& frame,
                                                   std::optional<int64_t> sync_ns) {
  const bool vp8 = frame.codec == media::Codec::VP8;
  if ((frame.codec != media::Codec::H264 && !vp8) || !frame.video) {
    ++rejected_;
    return nullptr;
  }
  // After a restart the decoder needs the new SPS/PPS and an IDR (a VP8 key frame) first.
  if (discontinuity_) waiting_for_keyframe_ = true;
  if (waiting_for_keyframe_ && !frame.keyframe) return nullptr;
  if (!begin(frame)) {
    ++rejected_;
    return nullptr;
  }
  auto out = std::make_shared<PacketizedFrame>();
  out->kind = TrackKind::Video;
  out->keyframe = vp8 ? vp8_packetizer_.keyframe() : packetizer_.keyframe();
  out->discontinuity = discontinuity_;
  out->first_seq = next_seq_;
  out->sync_ns = sync_ns.value_or(frame.arrival_ns);
  out->rtp_timestamp = timestamp_for(frame, out->sync_ns);
  out->arrival_ns = frame.arrival_ns;
  const size_t estimate = vp8 ? vp8_packet_count(frame) : h264_packet_bound(frame);
  out->slots.resize(estimate * PacketizedFrame::SlotSize);
  if (vp8) {
    write_packets(vp8_packetizer_, *out);
  } else {
    write_packets(packetizer_, *out);
  }
  if (out->lengths.empty()) {
    ++rejected_;
    return nullptr;
  }
  out->slots.resize(out->lengths.size() * PacketizedFrame::SlotSize);
  last_timestamp_ = out->rtp_timestamp;
  last_sync_ns_ = out->sync_ns;
  last_arrival_ns_ = out->arrival_ns;
  discontinuity_ = false;
  waiting_for_keyframe_ = false;
  ++frames_;
  return out;
}

}  // namespace webrtc
