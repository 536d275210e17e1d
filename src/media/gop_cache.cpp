#include "media/gop_cache.hpp"

namespace media {

void GopCache::push(const FramePtr& frame) {
  if (!frame) return;
  if (frame->kind == TrackKind::Video && frame->keyframe) {
    clear();
    collecting_ = true;
  }
  if (!collecting_) return;
  const size_t size = frame->data.size();
  if (frames_.size() + 1 > max_frames_ || bytes_ + size > max_bytes_) {
    clear();  // collecting_ stays false until the next keyframe
    ++overflows_;
    return;
  }
  frames_.push_back(frame);
  bytes_ += size;
}

void GopCache::clear() noexcept {
  frames_.clear();
  bytes_ = 0;
  collecting_ = false;
}

}  // namespace media
