#include "app/audio_pacer.hpp"

#include <algorithm>

namespace app {
namespace {

// A media time that jumps back, or forward by more than this, is a new timeline (publisher
// restart, new sync anchor): the old lateness says nothing about it.
constexpr int64_t kMaxForwardJumpNs = 1'000'000'000;

}  // namespace

int64_t AudioPacer::push(webrtc::PacketizedFramePtr frame, int64_t now_ns) {
  const int64_t media_ns = frame->sync_ns;
  if (have_last_ && (media_ns < last_media_ns_ || media_ns - last_media_ns_ > kMaxForwardJumpNs ||
                     frame->discontinuity)) {
    lateness_.clear();
  }
  have_last_ = true;
  last_media_ns_ = media_ns;
  const int64_t late = now_ns - media_ns;
  while (!lateness_.empty() && lateness_.back().second <= late)
    lateness_.pop_back();
  lateness_.emplace_back(media_ns, late);
  while (lateness_.front().first < media_ns - config_.window_ns)
    lateness_.pop_front();
  int64_t due = media_ns + lateness_.front().second;
  due = std::min(due, now_ns + config_.max_hold_ns);
  // Never overtake: when the window forgets a large lateness, the next packets only catch up.
  if (!queue_.empty()) due = std::max(due, last_due_ns_);
  due = std::max(due, now_ns);
  if (queue_.size() >= config_.max_queue) {
    // Nobody is draining (no timer ran for seconds): the oldest packet is worth least.
    queue_.pop_front();
    ++dropped_;
  }
  last_due_ns_ = due;
  queue_.push_back({due, std::move(frame)});
  return due;
}

std::optional<int64_t> AudioPacer::next_due() const noexcept {
  if (queue_.empty()) return std::nullopt;
  return queue_.front().due_ns;
}

size_t AudioPacer::pop_due(int64_t now_ns, std::vector<webrtc::PacketizedFramePtr>& out) {
  size_t n = 0;
  while (!queue_.empty() && queue_.front().due_ns <= now_ns) {
    out.push_back(std::move(queue_.front().frame));
    queue_.pop_front();
    ++n;
  }
  return n;
}

void AudioPacer::reset() noexcept {
  lateness_.clear();
  have_last_ = false;
}

}  // namespace app
