#include "webrtc/track_sender.hpp"

#include <algorithm>
#include <cstring>

#include "webrtc/rtp/rtp_header_writer.hpp"

namespace webrtc {
namespace {

constexpr size_t kScratchSize = 1500;
constexpr size_t kRtpHeaderSize = 12;  // our stored packets carry no CSRC or extension

// One scratch buffer per thread: every viewer on a loop encrypts into the same memory.
std::span<uint8_t> scratch() {
  thread_local std::array<uint8_t, kScratchSize> buffer;
  return buffer;
}

}  // namespace

TrackSender::TrackSender(TrackSenderConfig config, RtpSink& sink)
    : config_(config),
      sink_(sink),
      next_seq_(config.initial_seq),
      next_rtx_seq_(config.initial_rtx_seq) {}

void TrackSender::replay(std::span<const PacketizedFramePtr> frames) {
  if (frames.empty()) return;
  const auto n = static_cast<uint32_t>(frames.size());
  const uint32_t newest_ts = frames.back()->rtp_timestamp;
  // The newest frame keeps its live mapping (first start) or follows what was sent (PLI); the
  // older ones sit one tick apart just before it, so the decoder runs through them at once.
  ts_offset_ = have_sent_ ? last_ts_ + n - newest_ts : 0;
  const uint32_t newest_viewer_ts = newest_ts + ts_offset_;
  for (uint32_t i = 0; i < n; ++i) {
    send_frame(*frames[i], newest_viewer_ts - (n - 1 - i));
  }
  started_ = true;
  ++stats_.replays;
}

void TrackSender::send_live(const PacketizedFrame& frame) {
  if (!started_) {
    if (!frame.keyframe) return;
    started_ = true;
    ts_offset_ = have_sent_ ? last_ts_ + 1 - frame.rtp_timestamp : 0;
  }
  send_frame(frame, frame.rtp_timestamp + ts_offset_);
}

void TrackSender::send_frame(const PacketizedFrame& frame, uint32_t viewer_ts) {
  frame_marks_[frames_marked_++ % FrameMapSize] = {static_cast<uint32_t>(stats_.packets),
                                                   viewer_ts};
  for (size_t i = 0; i < frame.count(); ++i) {
    send_packet(frame.packet(i), static_cast<uint16_t>(frame.first_seq + i), viewer_ts);
  }
  have_sent_ = true;
  last_ts_ = viewer_ts;
  last_sync_ns_ = frame.sync_ns;
  ++stats_.frames;
}

void TrackSender::send_packet(std::span<const uint8_t> packet, uint16_t stream_seq,
                              uint32_t viewer_ts) {
  auto buf = scratch();
  if (packet.size() < kRtpHeaderSize || packet.size() > buf.size() - 64) return;
  std::memcpy(buf.data(), packet.data(), packet.size());
  const uint16_t seq = next_seq_++;
  rtp::set_sequence_number(buf, seq);
  rtp::set_timestamp(buf, viewer_ts);
  rtp::set_payload_type(buf, config_.payload_type);
  rtp::set_ssrc(buf, config_.ssrc);
  stream_seq_[seq % SeqMapSize] = stream_seq;
  ++stats_.packets;
  stats_.bytes += packet.size();
  sink_.send_rtp(buf, packet.size());
}

void TrackSender::retransmit(uint16_t viewer_seq, const PacketHistory& history) {
  ++stats_.nacked;
  // Only recent sequence numbers map back: older slots were reused by newer packets.
  const uint16_t age = static_cast<uint16_t>(next_seq_ - viewer_seq);
  const bool recent = age >= 1 && age <= SeqMapSize && age <= stats_.packets;
  const auto viewer_ts = recent ? viewer_ts_of(viewer_seq) : std::nullopt;
  auto packet = viewer_ts ? history.find(stream_seq_[viewer_seq % SeqMapSize]) : std::nullopt;
  if (!packet || packet->size() < kRtpHeaderSize) {
    ++stats_.not_in_history;
    return;
  }
  auto buf = scratch();
  if (packet->size() + 2 > buf.size() - 64) return;
  if (config_.rtx_payload_type) {
    // RFC 4588 4: RTX header, then the original sequence number, then the original payload.
    std::memcpy(buf.data(), packet->data(), kRtpHeaderSize);
    buf[kRtpHeaderSize] = static_cast<uint8_t>(viewer_seq >> 8);
    buf[kRtpHeaderSize + 1] = static_cast<uint8_t>(viewer_seq);
    std::memcpy(buf.data() + kRtpHeaderSize + 2, packet->data() + kRtpHeaderSize,
                packet->size() - kRtpHeaderSize);
    rtp::set_sequence_number(buf, next_rtx_seq_++);
    rtp::set_payload_type(buf, *config_.rtx_payload_type);
    rtp::set_ssrc(buf, config_.rtx_ssrc);
  } else {
    std::memcpy(buf.data(), packet->data(), packet->size());
    rtp::set_sequence_number(buf, viewer_seq);
    rtp::set_payload_type(buf, config_.payload_type);
    rtp::set_ssrc(buf, config_.ssrc);
  }
  rtp::set_timestamp(buf, *viewer_ts);
  ++stats_.retransmitted;
  sink_.send_rtp(buf, packet->size() + (config_.rtx_payload_type ? 2 : 0));
}

std::optional<uint32_t> TrackSender::viewer_ts_of(uint16_t viewer_seq) const noexcept {
  // The packet belongs to the newest frame that began at or before it; marks are in sending
  // order, so a binary search over the kept ones finds it. A frame older than the kept marks
  // is no longer answerable.
  const auto sent = static_cast<uint32_t>(stats_.packets);
  const uint32_t age = static_cast<uint16_t>(next_seq_ - viewer_seq);  // 1 = the newest packet
  const uint64_t marks = std::min<uint64_t>(frames_marked_, FrameMapSize);
  auto mark_age = [&](uint64_t k) {  // k = 1: the newest mark
    return sent - frame_marks_[(frames_marked_ - k) % FrameMapSize].first_packet;
  };
  if (marks == 0 || mark_age(marks) < age) return std::nullopt;
  uint64_t lo = 1, hi = marks;  // mark_age(hi) >= age
  while (lo < hi) {
    const uint64_t mid = (lo + hi) / 2;
    if (mark_age(mid) >= age)
      hi = mid;
    else
      lo = mid + 1;
  }
  return frame_marks_[(frames_marked_ - lo) % FrameMapSize].viewer_ts;
}

std::optional<std::pair<uint32_t, int64_t>> TrackSender::last_frame() const noexcept {
  if (!have_sent_) return std::nullopt;
  return std::make_pair(last_ts_, last_sync_ns_);
}

}  // namespace webrtc
