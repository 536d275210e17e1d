#include "webrtc/keyframe_replay.hpp"

#include <algorithm>

namespace webrtc {

void KeyframeReplay::start(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps,
                           TimePoint now, Cause cause) {
  cancel();
  for (const auto& f : frames) {
    if (f && f->count() > 0) queue_.push_back(f);
  }
  const bool join = cause == Cause::Join;
  const double multiple = join                   ? config_.join_rate_multiple
                          : cause == Cause::Pace ? 1.0
                                                 : config_.rate_multiple;
  const auto wanted = static_cast<uint64_t>(static_cast<double>(stream_bps) * multiple);
  rate_bps_ = std::clamp(wanted, config_.min_bps, std::max(config_.min_bps, config_.max_bps));
  tokens_ = burst_bytes();
  if (join && !queue_.empty()) {
    // The picture first: the keyframe leaves at once (as far as the cap allows).
    double keyframe = 0;
    for (auto len : queue_.front()->lengths)
      keyframe += len;
    tokens_ = std::max(tokens_, std::min(keyframe, static_cast<double>(config_.join_burst_bytes)));
  }
  refilled_ = now;
  if (sent_.empty()) sent_.resize(RememberedFrames);
}

void KeyframeReplay::push(PacketizedFramePtr frame) {
  if (!frame || frame->count() == 0 || queue_.empty()) return;
  if (frame->keyframe || frame->discontinuity) {
    // Decodable from here: what is still queued is not needed any more. A frame already begun
    // is finished so the viewer never holds half a frame.
    const size_t keep = next_packet_ > 0 ? 1 : 0;
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(keep), queue_.end());
    if (keep == 0) next_packet_ = 0;
  }
  queue_.push_back(std::move(frame));
}

double KeyframeReplay::burst_bytes() const noexcept {
  const double per_us = static_cast<double>(rate_bps_) / 8e6;
  return std::max(per_us * static_cast<double>(config_.max_burst.count()),
                  2.0 * PacketizedFrame::SlotSize);
}

void KeyframeReplay::refill(TimePoint now) noexcept {
  if (now <= refilled_) return;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - refilled_).count();
  tokens_ = std::min(tokens_ + static_cast<double>(rate_bps_) / 8e6 * static_cast<double>(us),
                     burst_bytes());
  refilled_ = now;
}

std::optional<KeyframeReplay::Chunk> KeyframeReplay::next(TimePoint now) {
  while (!queue_.empty() && next_packet_ >= queue_.front()->count()) {
    queue_.pop_front();
    next_packet_ = 0;
  }
  if (queue_.empty()) return std::nullopt;
  refill(now);
  const auto& frame = *queue_.front();
  Chunk c{&frame, next_packet_, next_packet_};
  // Whole packets while tokens last; the last one may overdraw (paid back before the next).
  while (c.end < frame.count() && tokens_ > 0) {
    tokens_ -= static_cast<double>(frame.lengths[c.end]);
    ++c.end;
  }
  if (c.end == c.first) return std::nullopt;
  if (c.first == 0) remember(queue_.front(), now);
  next_packet_ = c.end;
  return c;
}

void KeyframeReplay::remember(const PacketizedFramePtr& frame, TimePoint now) {
  if (sent_.empty()) return;
  sent_[sent_count_++ % sent_.size()] = {frame, now};
}

std::optional<std::span<const uint8_t>> KeyframeReplay::find_sent(uint16_t seq,
                                                                  TimePoint now) const noexcept {
  const size_t kept = std::min(sent_count_, sent_.size());
  for (size_t k = 1; k <= kept; ++k) {  // newest first: NACKs ask for what was just sent
    const auto& s = sent_[(sent_count_ - k) % sent_.size()];
    if (!s.frame || now - s.at > RememberFor) break;
    if (s.frame->holds(seq))
      return s.frame->packet(static_cast<uint16_t>(seq - s.frame->first_seq));
  }
  return std::nullopt;
}

std::optional<KeyframeReplay::TimePoint> KeyframeReplay::next_due() const noexcept {
  if (queue_.empty()) return std::nullopt;
  if (tokens_ > 0) return refilled_;  // only while a frame waits for the next call
  const double us = -tokens_ * 8e6 / static_cast<double>(std::max<uint64_t>(rate_bps_, 1));
  return refilled_ + std::chrono::microseconds(static_cast<int64_t>(us) + 1);
}

void KeyframeReplay::cancel() noexcept {
  queue_.clear();
  next_packet_ = 0;
}

}  // namespace webrtc
