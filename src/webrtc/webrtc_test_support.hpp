#pragma once
// Builders shared by the tests of this folder: H.264 access units, packetized frames, and a
// listener recording what a TransportSequencer reports.
#include <chrono>
#include <memory>
#include <vector>

#include "media/frame.hpp"
#include "webrtc/packetized_frame.hpp"
#include "webrtc/transport_sequencer.hpp"

namespace webrtc::test {

// A VideoConfig with a fixed Constrained Baseline SPS and a PPS.
inline std::shared_ptr<const media::VideoConfig> video_config() {
  auto c = std::make_shared<media::VideoConfig>();
  c->sps = {{0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8}};
  c->pps = {{0x68, 0xce, 0x3c, 0x80}};
  c->profile_idc = 0x42;
  c->level_idc = 0x1f;
  c->width = 1280;
  c->height = 720;
  return c;
}

// One access unit with a single slice NAL unit of `size` bytes, AVCC (4-byte lengths).
inline media::FramePtr h264_frame(bool key, int64_t pts_ms, size_t size,
                                  std::shared_ptr<const media::VideoConfig> cfg = video_config()) {
  auto f = std::make_shared<media::Frame>();
  f->kind = media::TrackKind::Video;
  f->codec = media::Codec::H264;
  f->keyframe = key;
  f->dts_ms = pts_ms;
  f->arrival_ns = pts_ms * 1000000;
  f->video = std::move(cfg);
  const auto n = static_cast<uint32_t>(size);
  f->data = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
  f->data.push_back(key ? 0x65 : 0x41);
  for (size_t i = 1; i < size; ++i)
    f->data.push_back(static_cast<uint8_t>(i * 7));
  return f;
}

// What a TransportSequencer reported, packet by packet.
class RecordingListener : public SentPacketListener {
 public:
  struct Reported {
    int64_t sequence;
    size_t bytes;
    int cluster;
    std::chrono::steady_clock::time_point now;
  };
  void on_rtp_sent(int64_t sequence, size_t bytes, int probe_cluster,
                   std::chrono::steady_clock::time_point now) override {
    sent.push_back({sequence, bytes, probe_cluster, now});
  }
  std::vector<Reported> sent;
};

}  // namespace webrtc::test
