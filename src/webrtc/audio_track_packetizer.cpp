#include "webrtc/audio_track_packetizer.hpp"

#include <cstring>

#include "webrtc/rtp/rtp_header_writer.hpp"
#include "webrtc/timeline_gap.hpp"

namespace webrtc {
namespace {

constexpr int64_t kMaxJump = 48000;     // a larger jump is a new timeline, not a gap
constexpr uint32_t kMinGapTicks = 960;  // at least one 20 ms packet between two timelines

}  // namespace

AudioTrackPacketizer::AudioTrackPacketizer(uint32_t ssrc, uint16_t initial_seq,
                                           uint32_t initial_timestamp)
    : ssrc_(ssrc), next_seq_(initial_seq), last_timestamp_(initial_timestamp) {}

PacketizedFramePtr AudioTrackPacketizer::packetize(std::span<const uint8_t> opus, int64_t pts_48k,
                                                   int64_t arrival_ns, int64_t sync_ns) {
  if (opus.empty() || opus.size() > MaxOpusPacket) return nullptr;
  const bool jumped =
      have_timeline_ && (pts_48k - last_pts_ > kMaxJump || last_pts_ - pts_48k > kMaxJump);
  const bool restart = !have_timeline_ || discontinuity_ || jumped;
  if (restart) {
    timeline_pts_ = pts_48k;
    timeline_rtp_ = last_timestamp_;
    if (have_timeline_) {
      timeline_rtp_ += TimelineGap::ticks(sync_ns - last_sync_ns_, arrival_ns - last_arrival_ns_,
                                          ClockRate, kMinGapTicks);
    }
    have_timeline_ = true;
  }
  last_pts_ = pts_48k;
  auto out = std::make_shared<PacketizedFrame>();
  out->kind = TrackKind::Audio;
  out->keyframe = true;  // every Opus packet decodes on its own
  out->discontinuity = discontinuity_;
  out->first_seq = next_seq_;
  out->rtp_timestamp = timeline_rtp_ + static_cast<uint32_t>(pts_48k - timeline_pts_);
  out->arrival_ns = arrival_ns;
  out->sync_ns = sync_ns;
  out->slots.resize(PacketizedFrame::SlotSize);
  rtp::RtpHeaderWriter header({.marker = restart,  // RFC 3551 4.1: first packet of a talkspurt
                               .payload_type = DefaultPayloadType,
                               .sequence_number = next_seq_++,
                               .timestamp = out->rtp_timestamp,
                               .ssrc = ssrc_});
  const size_t h = header.write_to(out->slots);
  std::memcpy(out->slots.data() + h, opus.data(), opus.size());
  out->lengths.push_back(static_cast<uint16_t>(h + opus.size()));
  last_timestamp_ = out->rtp_timestamp;
  last_sync_ns_ = sync_ns;
  last_arrival_ns_ = arrival_ns;
  discontinuity_ = false;
  return out;
}

}  // namespace webrtc
