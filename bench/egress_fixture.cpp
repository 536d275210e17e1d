#include "egress_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "webrtc/video_track_packetizer.hpp"

namespace bench {

media::FramePtr h264_access_unit(bool idr, int64_t pts_ms, size_t bytes) {
  auto config = std::make_shared<media::VideoConfig>();
  config->sps = {{0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8}};  // 720p baseline
  config->pps = {{0x68, 0xce, 0x3c, 0x80}};
  config->profile_idc = 0x42;
  config->level_idc = 0x1f;
  config->width = 1280;
  config->height = 720;

  auto f = std::make_shared<media::Frame>();
  f->kind = media::TrackKind::Video;
  f->codec = media::Codec::H264;
  f->keyframe = idr;
  f->dts_ms = pts_ms;
  f->arrival_ns = pts_ms * 1'000'000;
  f->video = std::move(config);
  const auto n = static_cast<uint32_t>(bytes);
  f->data = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
  f->data.push_back(idr ? 0x65 : 0x41);  // NAL header: IDR slice / non-IDR slice
  uint32_t x = 0x12345678;               // entropy-coded slice data looks random
  for (size_t i = 1; i < bytes; ++i) {
    x = x * 1664525 + 1013904223;
    f->data.push_back(static_cast<uint8_t>(x >> 24));
  }
  return f;
}

StreamFrames packetized_stream() {
  webrtc::VideoTrackPacketizer packetizer(0x5eed, 1000, 90000);
  StreamFrames s;
  s.idr = packetizer.packetize(*h264_access_unit(true, 0, IdrBytes));
  s.p_frame = packetizer.packetize(*h264_access_unit(false, 33, PFrameBytes));
  return s;
}

LoopbackReceiver::LoopbackReceiver() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  port_ = ntohs(addr.sin_port);
}

LoopbackReceiver::~LoopbackReceiver() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace bench
