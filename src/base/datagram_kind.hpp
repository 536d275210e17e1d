#pragma once
// RFC 7983 7 (updating RFC 5764 5.1.2): WebRTC runs STUN, DTLS and SRTP/SRTCP over one UDP
// 5-tuple and tells them apart by the first byte alone. The one place that knows the ranges;
// each protocol's own parser still checks the rest of the datagram.
#include <cstdint>
#include <span>

namespace base {

enum class DatagramKind : uint8_t {
  Stun,   // 0..3
  Dtls,   // 20..63: a DTLS record's content type
  Rtp,    // 128..191: RTP or RTCP (version 2); RFC 5761 4 tells the two apart
  Other,  // empty, or a range we never use (ZRTP 16..19, TURN channels 64..79, ...)
};

constexpr DatagramKind classify_datagram(std::span<const uint8_t> datagram) noexcept {
  if (datagram.empty()) return DatagramKind::Other;
  const uint8_t first = datagram[0];
  if (first <= 3) return DatagramKind::Stun;
  if (first >= 20 && first <= 63) return DatagramKind::Dtls;
  if (first >= 128 && first <= 191) return DatagramKind::Rtp;
  return DatagramKind::Other;
}

}  // namespace base
