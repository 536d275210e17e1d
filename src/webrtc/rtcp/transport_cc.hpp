#pragma once
// Transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1): RTPFB FMT 15. parse() reads the
// fixed part and keeps the status chunks and receive deltas as a view; decode() expands them
// into one entry per reported packet, into caller memory.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

// What one feedback says about one packet.
struct TransportCcPacket {
  uint16_t sequence = 0;
  bool received = false;
  // Receive time minus the previous received packet's (or, for the first, the reference
  // time's), a multiple of 250 us; may be negative when packets arrived reordered. 0 if lost.
  int32_t delta_us = 0;

  bool operator==(const TransportCcPacket&) const = default;
};

struct TransportCc {
  static constexpr int32_t ReferenceTimeUnitUs = 64'000;  // 3.1: reference time in 64 ms
  static constexpr int32_t DeltaUnitUs = 250;             // 3.1.5: receive deltas in 250 us

  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint16_t base_sequence = 0;
  uint16_t packet_status_count = 0;
  int32_t reference_time = 0;  // 24-bit signed, multiples of 64 ms
  uint8_t feedback_count = 0;  // increments per feedback packet sent
  std::span<const uint8_t> chunks_and_deltas;

  static std::optional<TransportCc> parse(const RtcpPacket& packet) noexcept;

  // Decodes every packet status into `out` (which needs packet_status_count entries) and
  // returns how many were written. nullopt when the chunks or deltas are truncated, cover
  // fewer packets than the count, use the reserved symbol 3, leave more than 3 bytes of
  // padding, or `out` is too small. Allocates nothing.
  std::optional<size_t> decode(std::span<TransportCcPacket> out) const noexcept;
};

}  // namespace webrtc::rtcp
