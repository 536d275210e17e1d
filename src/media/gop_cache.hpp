#pragma once
// The frames since the latest video keyframe (with the audio interleaved among them), so that a
// new reader can start decoding at once instead of waiting up to a keyframe interval. Audio-only
// streams cache nothing: any audio frame is a starting point, so a new reader starts live.
// Not thread-safe: Stream guards it with its own lock.
#include <cstddef>
#include <vector>

#include "media/frame.hpp"

namespace media {

class GopCache {
 public:
  GopCache(size_t max_bytes, size_t max_frames) noexcept
      : max_bytes_(max_bytes), max_frames_(max_frames) {}

  // A video keyframe starts a new GOP. When a GOP outgrows the bounds the cache is emptied and
  // stays empty until the next keyframe (readers joining meanwhile start live).
  void push(const FramePtr& frame);
  void clear() noexcept;

  const std::vector<FramePtr>& frames() const noexcept { return frames_; }
  size_t bytes() const noexcept { return bytes_; }
  bool empty() const noexcept { return frames_.empty(); }
  // Times a GOP was dropped for exceeding the bounds.
  uint64_t overflows() const noexcept { return overflows_; }

 private:
  const size_t max_bytes_;
  const size_t max_frames_;
  std::vector<FramePtr> frames_;
  size_t bytes_ = 0;
  bool collecting_ = false;  // a keyframe opened the current GOP and it is within bounds
  uint64_t overflows_ = 0;
};

}  // namespace media
