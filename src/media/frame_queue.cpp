#include "media/frame_queue.hpp"

namespace media {

void FrameQueue::push(FramePtr frame) {
  if (!frame) return;
  const bool video = frame->kind == TrackKind::Video;
  const bool video_key = video && frame->keyframe;
  seen_video_ = seen_video_ || video;
  if (resyncing_) {
    if (!video_key) {
      ++dropped_frames_;
      return;
    }
    resyncing_ = false;
  }
  const size_t size = frame->data.size();
  if (!fits(size)) {
    ++overflows_;
    dropped_frames_ += frames_.size();
    clear();
    // A video reader can only resume at a keyframe; audio resumes with any frame.
    if (seen_video_ && !video_key) {
      resyncing_ = true;
      ++dropped_frames_;
      return;
    }
    // An empty queue always takes one frame, even one larger than max_bytes, or a huge keyframe
    // would starve the reader for ever.
  }
  bytes_ += size;
  frames_.push_back(std::move(frame));
}

FramePtr FrameQueue::pop() {
  if (frames_.empty()) return nullptr;
  FramePtr f = std::move(frames_.front());
  frames_.pop_front();
  bytes_ -= f->data.size();
  return f;
}

void FrameQueue::clear() noexcept {
  frames_.clear();
  bytes_ = 0;
}

}  // namespace media
