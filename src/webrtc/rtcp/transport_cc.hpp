#pragma once
// Transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1): RTPFB FMT 15. Only the fixed
// part is parsed: enough to count feedback and see which packets it covers. The status
// chunks and deltas stay as bytes for a later congestion controller.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

struct TransportCc {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint16_t base_sequence = 0;
  uint16_t packet_status_count = 0;
  int32_t reference_time = 0;  // 24-bit signed, multiples of 64 ms
  uint8_t feedback_count = 0;  // increments per feedback packet sent
  std::span<const uint8_t> chunks_and_deltas;

  static std::optional<TransportCc> parse(const RtcpPacket& packet) noexcept;
};

}  // namespace webrtc::rtcp
