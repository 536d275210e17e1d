#pragma once
// RFC 4571 2 framing for sending on an ICE-TCP connection: each datagram goes out behind its
// length as a 16-bit big-endian number. Writers fill caller memory and never allocate.
#include <cstddef>
#include <cstdint>
#include <span>

namespace webrtc::ice {

inline constexpr size_t TcpFrameHeaderSize = 2;
inline constexpr size_t MaxTcpFramePayload = 65535;  // what 16 bits of LENGTH can say

// Whether `datagram_size` can be framed: 1..MaxTcpFramePayload. Empty datagrams are refused
// because our reader treats a zero length as garbage, and so should a peer's.
constexpr bool tcp_frameable(size_t datagram_size) noexcept {
  return datagram_size >= 1 && datagram_size <= MaxTcpFramePayload;
}

// Writes the 2-byte length of a `datagram_size`-byte datagram into out[0..1]. False (nothing
// written) if the size is not frameable or `out` is shorter than TcpFrameHeaderSize. For callers
// that build the datagram TcpFrameHeaderSize bytes into their buffer and so need no copy.
bool write_tcp_frame_header(size_t datagram_size, std::span<uint8_t> out) noexcept;

// Writes the length and then the datagram into `out`; returns the bytes written
// (TcpFrameHeaderSize + datagram.size()), or 0 if the datagram is not frameable or `out` is too
// small. `datagram` may overlap `out` (it is moved, not copied forward blindly).
size_t write_tcp_frame(std::span<const uint8_t> datagram, std::span<uint8_t> out) noexcept;

}  // namespace webrtc::ice
