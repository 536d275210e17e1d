#include "webrtc/track_sender.hpp"

#include <algorithm>
#include <array>
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

uint32_t stored_timestamp(std::span<const uint8_t> p) {
  return (uint32_t{p[4]} << 24) | (uint32_t{p[5]} << 16) | (uint32_t{p[6]} << 8) | p[7];
}

}  // namespace

TrackSender::TrackSender(TrackSenderConfig config, RtpSink& sink, TransportSequencer* sequencer)
    : config_(config),
      sink_(sink),
      sequencer_(sequencer),
      next_seq_(config.initial_seq),
      next_rtx_seq_(config.initial_rtx_seq),
      sent_(config.sent_runs) {}

int64_t TrackSender::tick_ns() const noexcept {
  return (1'000'000'000 + config_.clock_rate - 1) / config_.clock_rate;
}

uint32_t TrackSender::ticks(int64_t ns) const noexcept {
  if (ns <= 0) return 1;
  ns = std::min<int64_t>(ns, 10'000'000'000);  // a gap beyond 10 s is capped anyway: no overflow
  return std::max<uint32_t>(1, static_cast<uint32_t>(ns * config_.clock_rate / 1'000'000'000));
}

void TrackSender::replay(std::span<const PacketizedFramePtr> frames) {
  if (frames.empty()) return;
  const auto n = static_cast<uint32_t>(frames.size());
  const uint32_t newest_ts = frames.back()->rtp_timestamp;
  // The newest frame keeps its live mapping (first start) or follows what was sent; the older
  // ones sit one tick apart just before it, so the decoder runs through them at once.
  ts_offset_ = have_sent_ ? last_ts_ + n - newest_ts : 0;
  const uint32_t newest_viewer_ts = newest_ts + ts_offset_;
  for (uint32_t i = 0; i < n; ++i) {
    send_frame(*frames[i], newest_viewer_ts - (n - 1 - i));
  }
  started_ = true;
  rebase_ = false;
  ++stats_.replays;
}

void TrackSender::switch_stream() noexcept {
  started_ = false;
  rebase_ = false;
  switched_ = have_sent_;
  sent_.forget();
  ++stats_.stream_switches;
}

void TrackSender::send_live(const PacketizedFrame& frame) {
  if (!started_) {
    if (!frame.keyframe) return;
    started_ = true;
    // After a switch the new stream's clock is unrelated: its keyframe follows the last frame
    // sent by the time between their arrivals, so the browser's playout stays smooth.
    const uint32_t step = switched_ ? std::min<uint32_t>(ticks(frame.arrival_ns - last_arrival_ns_),
                                                         config_.clock_rate)
                                    : 1;
    ts_offset_ = have_sent_ ? last_ts_ + step - frame.rtp_timestamp : 0;
    switched_ = false;
  } else if (rebase_) {
    // After a paced replay the last frame was stamped by its send time (on the sync clock, see
    // send_paced): go on from there by this frame's sync time, then at the publisher's pace, so
    // the sender reports keep the mapping they stated during the replay.
    ts_offset_ = last_ts_ + ticks(frame.sync_ns - last_sync_ns_) - frame.rtp_timestamp;
  }
  rebase_ = false;
  send_frame(frame, frame.rtp_timestamp + ts_offset_);
}

void TrackSender::send_paced(const PacketizedFrame& frame, size_t first, size_t end,
                             int64_t now_ns) {
  end = std::min(end, frame.count());
  if (first >= end) return;
  if (first == 0) {
    // The send time on the sync clock: sync and arrival clocks of one stream differ by how late
    // its frames arrive against the first one (an encoder's start-up delay can make that 100 ms
    // or more), and a sender report must not move by that difference when live sending resumes.
    // Never behind the last frame's: timestamps only go forward, and the sync clock with them.
    int64_t sync_now = now_ns + (frame.sync_ns - frame.arrival_ns);
    if (have_sent_) sync_now = std::max(sync_now, last_sync_ns_ + tick_ns());
    frame_ts_ = have_sent_ ? last_ts_ + ticks(sync_now - last_sync_ns_) : frame.rtp_timestamp;
    have_sent_ = true;
    last_ts_ = frame_ts_;
    last_sync_ns_ = sync_now;
    last_arrival_ns_ = now_ns;  // stamped by its send time: a switch steps from there
    ++stats_.frames;
  }
  for (size_t i = first; i < end; ++i)
    send_packet(frame, i, frame_ts_);
  stats_.paced_packets += end - first;
  started_ = true;
}

void TrackSender::send_frame(const PacketizedFrame& frame, uint32_t viewer_ts) {
  for (size_t i = 0; i < frame.count(); ++i)
    send_packet(frame, i, viewer_ts);
  have_sent_ = true;
  last_ts_ = viewer_ts;
  last_sync_ns_ = frame.sync_ns;
  last_arrival_ns_ = frame.arrival_ns;
  ++stats_.frames;
}

// The stored packet's fixed header, with the transport-wide sequence number's extension after
// it when the session stamps packets; returns where the payload goes.
size_t TrackSender::write_header(std::span<uint8_t> buf, std::span<const uint8_t> packet) noexcept {
  std::memcpy(buf.data(), packet.data(), kRtpHeaderSize);
  if (!sequencer_) return kRtpHeaderSize;
  buf[0] |= 0x10;  // X: a header extension follows (stored packets carry none)
  sequencer_->write_extension(buf.subspan<kRtpHeaderSize, TransportSequencer::ExtensionBytes>());
  return kRtpHeaderSize + TransportSequencer::ExtensionBytes;
}

void TrackSender::emit(std::span<uint8_t> buf, size_t length) {
  sink_.send_rtp(buf, length);
  if (sequencer_) sequencer_->sent(length);
}

void TrackSender::send_packet(const PacketizedFrame& frame, size_t index, uint32_t viewer_ts) {
  const auto packet = frame.packet(index);
  auto buf = scratch();
  if (packet.size() < kRtpHeaderSize || packet.size() > buf.size() - 64) return;
  const size_t header = write_header(buf, packet);
  std::memcpy(buf.data() + header, packet.data() + kRtpHeaderSize, packet.size() - kRtpHeaderSize);
  const size_t length = header + packet.size() - kRtpHeaderSize;
  const uint16_t seq = next_seq_++;
  rtp::set_sequence_number(buf, seq);
  rtp::set_timestamp(buf, viewer_ts);
  rtp::set_payload_type(buf, config_.payload_type);
  rtp::set_ssrc(buf, config_.ssrc);
  const auto stream_seq = static_cast<uint16_t>(frame.first_seq + index);
  sent_.record(seq, stream_seq, viewer_ts - stored_timestamp(packet));
  ++stats_.packets;
  stats_.bytes += packet.size();
  stats_.payload_bytes += packet.size() - kRtpHeaderSize;
  emit(buf, length);
}

std::optional<TrackSender::Found> TrackSender::find_sent(uint16_t viewer_seq,
                                                         const PacketSource& history) const {
  const auto entry = sent_.find(viewer_seq);
  const auto packet = entry ? history.find(entry->stream_seq) : std::nullopt;
  if (!packet || packet->size() < kRtpHeaderSize) return std::nullopt;
  return Found{*packet, stored_timestamp(*packet) + entry->ts_offset};
}

std::optional<TrackSender::Found> TrackSender::find_nacked(uint16_t viewer_seq,
                                                           const PacketSource& history) {
  ++stats_.nacked;
  auto found = find_sent(viewer_seq, history);
  if (!found) ++stats_.not_in_history;
  return found;
}

bool TrackSender::retransmit(uint16_t viewer_seq, const PacketSource& history) {
  const auto found = find_nacked(viewer_seq, history);
  if (found) resend(viewer_seq, found->packet, found->viewer_ts);
  return found.has_value();
}

bool TrackSender::retransmit(uint16_t viewer_seq, const PacketSource& history,
                             NackResponder& responder, TimePoint now,
                             std::optional<std::chrono::microseconds> rtt) {
  const auto found = find_nacked(viewer_seq, history);
  if (!found) return false;
  responder.credit(stats_.bytes);
  if (!responder.admit(viewer_seq, found->packet.size(), now, rtt)) return false;
  resend(viewer_seq, found->packet, found->viewer_ts);
  return true;
}

bool TrackSender::resend_copy(uint16_t viewer_seq, const PacketSource& history,
                              NackResponder& responder, TimePoint now) {
  const auto found = find_sent(viewer_seq, history);
  if (!found) return false;
  responder.credit(stats_.bytes);
  if (!responder.admit_copy(viewer_seq, found->packet.size(), now)) return false;
  resend(viewer_seq, found->packet, found->viewer_ts);
  ++stats_.second_copies;
  return true;
}

void TrackSender::resend(uint16_t viewer_seq, std::span<const uint8_t> packet, uint32_t viewer_ts) {
  if (write_copy(viewer_seq, packet, viewer_ts)) ++stats_.retransmitted;
}

bool TrackSender::write_copy(uint16_t viewer_seq, std::span<const uint8_t> packet,
                             uint32_t viewer_ts) {
  auto buf = scratch();
  if (packet.size() + 2 > buf.size() - 64) return false;
  const size_t header = write_header(buf, packet);
  const auto payload = packet.subspan(kRtpHeaderSize);
  size_t length = header + payload.size();
  if (config_.rtx_payload_type) {
    // RFC 4588 4: RTX header, then the original sequence number, then the original payload.
    buf[header] = static_cast<uint8_t>(viewer_seq >> 8);
    buf[header + 1] = static_cast<uint8_t>(viewer_seq);
    std::memcpy(buf.data() + header + 2, payload.data(), payload.size());
    length += 2;
    rtp::set_sequence_number(buf, next_rtx_seq_++);
    rtp::set_payload_type(buf, *config_.rtx_payload_type);
    rtp::set_ssrc(buf, config_.rtx_ssrc);
  } else {
    std::memcpy(buf.data() + header, payload.data(), payload.size());
    rtp::set_sequence_number(buf, viewer_seq);
    rtp::set_payload_type(buf, config_.payload_type);
    rtp::set_ssrc(buf, config_.ssrc);
  }
  rtp::set_timestamp(buf, viewer_ts);
  emit(buf, length);
  return true;
}

bool TrackSender::send_probe(uint16_t viewer_seq, const PacketSource& history) {
  if (!config_.rtx_payload_type) return false;
  const auto found = find_sent(viewer_seq, history);
  if (!found || !write_copy(viewer_seq, found->packet, found->viewer_ts)) return false;
  ++stats_.probe_packets;
  stats_.probe_bytes += found->packet.size() + 2;
  return true;
}

std::optional<uint16_t> TrackSender::last_sequence() const noexcept {
  if (!have_sent_) return std::nullopt;
  return static_cast<uint16_t>(next_seq_ - 1);
}

std::optional<std::pair<uint32_t, int64_t>> TrackSender::last_frame() const noexcept {
  if (!have_sent_) return std::nullopt;
  return std::make_pair(last_ts_, last_sync_ns_);
}

}  // namespace webrtc
