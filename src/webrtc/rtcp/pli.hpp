#pragma once
// Picture loss indication (RFC 4585 6.3.1): PSFB FMT 1, no FCI. A viewer asks for a keyframe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

struct Pli {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;

  static std::optional<Pli> parse(const RtcpPacket& packet) noexcept;
  size_t size() const noexcept { return FeedbackHeaderSize; }
  size_t write_to(std::span<uint8_t> out) const noexcept;
};

}  // namespace webrtc::rtcp
