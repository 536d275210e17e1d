#pragma once
// For tests: the H.264 video tags of an FLV fixture in tests/data/media, as ingest makes them
// (FLV spec 10.1 E.4): one config from the AVC sequence header, frames in decode order, AVCC with
// 4-byte lengths (the fixtures are made by libx264, so no length rewriting is needed).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "media/avc_config.hpp"
#include "media/frame.hpp"

namespace media::test {

struct FlvVideo {
  std::shared_ptr<const VideoConfig> config;
  std::vector<Frame> frames;  // decode order; arrival_ns = pts in ns + 7, a recognisable stamp
};

inline uint32_t flv_be(const std::vector<uint8_t>& b, size_t pos, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v = (v << 8) | b[pos + i];
  return v;
}

inline FlvVideo read_flv(const std::string& name) {
  std::ifstream in(std::string(AIRCLASS_TEST_DATA) + "/media/" + name, std::ios::binary);
  const std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  FlvVideo v;
  if (b.size() < 13 || b[0] != 'F') {
    ADD_FAILURE() << "cannot read " << name;
    return v;
  }
  size_t pos = flv_be(b, 5, 4) + 4;
  while (pos + 11 <= b.size()) {
    const uint8_t type = b[pos];
    const size_t size = flv_be(b, pos + 1, 3);
    const int64_t ts = flv_be(b, pos + 4, 3) | (int64_t{b[pos + 7]} << 24);
    const size_t body = pos + 11;
    if (body + size > b.size()) break;
    if (type == 9 && size > 5 && (b[body] & 0x0f) == 7) {
      int32_t cts = static_cast<int32_t>(flv_be(b, body + 2, 3));
      if (cts & 0x800000) cts -= 0x1000000;
      const std::vector<uint8_t> payload(b.begin() + static_cast<std::ptrdiff_t>(body + 5),
                                         b.begin() + static_cast<std::ptrdiff_t>(body + size));
      if (b[body + 1] == 0) {
        const auto parsed = AvcConfig::parse(payload);
        EXPECT_TRUE(parsed);
        if (parsed)
          v.config = std::make_shared<const VideoConfig>(parsed->to_video_config(payload));
      } else if (b[body + 1] == 1) {
        Frame f;
        f.kind = TrackKind::Video;
        f.codec = Codec::H264;
        f.keyframe = (b[body] >> 4) == 1;
        f.dts_ms = ts;
        f.cts_ms = cts;
        f.arrival_ns = f.pts_ms() * 1'000'000 + 7;
        f.video = v.config;
        f.data = payload;
        v.frames.push_back(std::move(f));
      }
    }
    pos = body + size + 4;
  }
  return v;
}

// The same frames later in time (a second copy of a fixture appended to the first).
inline std::vector<Frame> shifted(const std::vector<Frame>& frames, int64_t offset_ms) {
  std::vector<Frame> out = frames;
  for (Frame& f : out) {
    f.dts_ms += offset_ms;
    f.arrival_ns = f.pts_ms() * 1'000'000 + 7;
  }
  return out;
}

}  // namespace media::test
