#include "webrtc/packet_history.hpp"

namespace webrtc {
namespace {

uint64_t bytes_of(const PacketizedFrame& f) {
  uint64_t n = 0;
  for (auto len : f.lengths)
    n += len;
  return n;
}

}  // namespace

PacketHistory::PacketHistory(Limits limits) : limits_(limits) {}

void PacketHistory::append(PacketizedFramePtr frame) {
  if (!frame || frame->count() == 0) return;
  if (frame->discontinuity) clear();  // a restarted publisher: old frames no longer decode
  if (frame->kind == TrackKind::Video && frame->keyframe) keyframe_index_ = frames_.size();
  packets_ += frame->count();
  bytes_ += bytes_of(*frame);
  frames_.push_back(std::move(frame));
  trim();
}

void PacketHistory::trim() {
  const int64_t newest = frames_.back()->arrival_ns;
  while (frames_.size() > 1) {
    const auto& oldest = frames_.front();
    const bool before_keyframe = !keyframe_index_ || *keyframe_index_ > 0;
    const bool old = newest - oldest->arrival_ns > limits_.min_age_ns;
    // Keep the GOP a joining viewer starts from, unless memory says otherwise.
    if (packets_ <= limits_.max_packets && !(before_keyframe && old)) break;
    packets_ -= oldest->count();
    bytes_ -= bytes_of(*oldest);
    frames_.pop_front();
    if (keyframe_index_) {
      if (*keyframe_index_ == 0)
        keyframe_index_.reset();
      else
        --*keyframe_index_;
    }
  }
}

std::vector<PacketizedFramePtr> PacketHistory::since_keyframe() const {
  if (!keyframe_index_) return {};
  return {frames_.begin() + static_cast<std::ptrdiff_t>(*keyframe_index_), frames_.end()};
}

std::optional<std::span<const uint8_t>> PacketHistory::find(uint16_t seq) const noexcept {
  if (frames_.empty()) return std::nullopt;
  // Frames are in sequence order; search by distance from the oldest (wrap-aware).
  const uint16_t base = frames_.front()->first_seq;
  const uint16_t target = static_cast<uint16_t>(seq - base);
  size_t lo = 0, hi = frames_.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    const uint16_t start = static_cast<uint16_t>(frames_[mid]->first_seq - base);
    if (start <= target)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return std::nullopt;
  const auto& frame = frames_[lo - 1];
  if (!frame->holds(seq)) return std::nullopt;
  return frame->packet(static_cast<uint16_t>(seq - frame->first_seq));
}

uint64_t PacketHistory::bitrate_bps() const noexcept {
  if (frames_.size() < 2) return 0;
  const int64_t span_ns = frames_.back()->arrival_ns - frames_.front()->arrival_ns;
  if (span_ns <= 0) return 0;
  // The newest frame's bytes arrived after the span began; the oldest one's are its start.
  const uint64_t bytes = bytes_ - bytes_of(*frames_.front());
  return bytes * 8 * 1'000'000'000 / static_cast<uint64_t>(span_ns);
}

void PacketHistory::clear() noexcept {
  frames_.clear();
  packets_ = 0;
  bytes_ = 0;
  keyframe_index_.reset();
}

}  // namespace webrtc
