#include "webrtc/ice/tcp_frame_writer.hpp"

#include <cstring>

namespace webrtc::ice {

bool write_tcp_frame_header(size_t datagram_size, std::span<uint8_t> out) noexcept {
  if (!tcp_frameable(datagram_size) || out.size() < TcpFrameHeaderSize) return false;
  out[0] = static_cast<uint8_t>(datagram_size >> 8);
  out[1] = static_cast<uint8_t>(datagram_size & 0xFF);
  return true;
}

size_t write_tcp_frame(std::span<const uint8_t> datagram, std::span<uint8_t> out) noexcept {
  const size_t total = TcpFrameHeaderSize + datagram.size();
  if (!tcp_frameable(datagram.size()) || out.size() < total) return 0;
  // Move the body first: if the caller's datagram starts at out[0], the header would overwrite
  // its first two bytes.
  std::memmove(out.data() + TcpFrameHeaderSize, datagram.data(), datagram.size());
  write_tcp_frame_header(datagram.size(), out);
  return total;
}

}  // namespace webrtc::ice
