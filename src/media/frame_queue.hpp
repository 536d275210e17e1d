#pragma once
// The bounded queue between a stream and one slow reader. push() never blocks the publisher:
// when the queue is over its bounds everything queued is dropped and incoming frames are dropped
// until the next video keyframe, so the reader resumes with a decodable picture (an audio-only
// stream resumes at once). Not thread-safe: the owner guards it with the reader's own lock or
// strand (Stream calls push() from the publisher's thread, the reader pops from its own).
#include <cstddef>
#include <cstdint>
#include <deque>

#include "media/frame.hpp"

namespace media {

class FrameQueue {
 public:
  struct Limits {
    size_t max_frames = 600;
    size_t max_bytes = 16u << 20;
  };
  explicit FrameQueue(Limits limits) noexcept : limits_(limits) {}

  void push(FramePtr frame);
  // The oldest frame, or null when empty.
  FramePtr pop();
  const FramePtr* front() const noexcept { return frames_.empty() ? nullptr : &frames_.front(); }

  bool empty() const noexcept { return frames_.empty(); }
  size_t size() const noexcept { return frames_.size(); }
  size_t bytes() const noexcept { return bytes_; }
  // Waiting for a video keyframe after an overflow.
  bool resyncing() const noexcept { return resyncing_; }
  uint64_t dropped_frames() const noexcept { return dropped_frames_; }
  uint64_t overflows() const noexcept { return overflows_; }
  void clear() noexcept;

 private:
  bool fits(size_t size) const noexcept {
    return frames_.size() < limits_.max_frames && bytes_ + size <= limits_.max_bytes;
  }

  const Limits limits_;
  std::deque<FramePtr> frames_;
  size_t bytes_ = 0;
  bool seen_video_ = false;
  bool resyncing_ = false;
  uint64_t dropped_frames_ = 0;
  uint64_t overflows_ = 0;
};

}  // namespace media
