#pragma once
// What the egress benchmarks share: a realistic 720p H.264 stream cut into the server's shared
// RTP packets, and a loopback UDP port that receives (and, unread, drops) what they send.
#include <cstdint>

#include "media/frame.hpp"
#include "webrtc/packetized_frame.hpp"

namespace bench {

// 1280x720 at 2 Mbit/s and 30 fps: about 8.3 KB per frame on average, an IDR of about 60 KB.
inline constexpr size_t IdrBytes = 60'000;
inline constexpr size_t PFrameBytes = 8'300;

// One H.264 access unit (a single slice NAL unit, AVCC) of `bytes`, at `pts_ms`.
media::FramePtr h264_access_unit(bool idr, int64_t pts_ms, size_t bytes);

// An IDR then a P-frame, packetized by the server's VideoTrackPacketizer.
struct StreamFrames {
  webrtc::PacketizedFramePtr idr;
  webrtc::PacketizedFramePtr p_frame;
};
StreamFrames packetized_stream();

// A UDP socket bound to 127.0.0.1 that nobody reads: the kernel queues what fits its receive
// buffer and drops the rest, so senders pay the full loopback send path at any rate.
class LoopbackReceiver {
 public:
  LoopbackReceiver();
  ~LoopbackReceiver();
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  bool ok() const noexcept { return fd_ >= 0; }
  uint16_t port() const noexcept { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace bench
