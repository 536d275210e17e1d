#pragma once
// For tests: frames with only what the media core looks at (kind, codec, keyframe flag, dts,
// a payload of some size).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "media/frame.hpp"

namespace media::test {

inline FramePtr frame(TrackKind kind, Codec codec, bool key, int64_t dts, size_t size) {
  auto f = std::make_shared<Frame>();
  f->kind = kind;
  f->codec = codec;
  f->keyframe = key;
  f->dts_ms = dts;
  f->data.resize(size);
  return f;
}

inline FramePtr video(int64_t dts, bool key, size_t size = 100) {
  return frame(TrackKind::Video, Codec::H264, key, dts, size);
}

inline FramePtr audio(int64_t dts, size_t size = 10) {
  return frame(TrackKind::Audio, Codec::AAC, true, dts, size);
}

}  // namespace media::test
