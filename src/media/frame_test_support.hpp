#pragma once
// For tests: frames with only what the media core looks at (kind, codec, keyframe flag, dts,
// a payload of some size).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "media/frame.hpp"

namespace media::test {

inline FramePtr video(int64_t dts, bool key, size_t size = 100) {
  auto f = std::make_shared<Frame>();
  f->kind = TrackKind::Video;
  f->codec = Codec::H264;
  f->keyframe = key;
  f->dts_ms = dts;
  f->data.resize(size);
  return f;
}

inline FramePtr audio(int64_t dts, size_t size = 10) {
  auto f = std::make_shared<Frame>();
  f->kind = TrackKind::Audio;
  f->codec = Codec::AAC;
  f->keyframe = true;
  f->dts_ms = dts;
  f->data.resize(size);
  return f;
}

}  // namespace media::test
