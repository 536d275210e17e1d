#pragma once
// Receiver report (RFC 3550 6.4.2): what a viewer tells us about our stream.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/report_block.hpp"
#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

struct ReceiverReport {
  static constexpr size_t MaxReportBlocks = 31;

  uint32_t sender_ssrc = 0;
  ReportBlocks report_blocks;  // points into the parsed packet or caller memory

  static std::optional<ReceiverReport> parse(const RtcpPacket& packet) noexcept;
  size_t size() const noexcept;
  size_t write_to(std::span<uint8_t> out) const noexcept;  // 0 if too small or > 31 blocks
};

}  // namespace webrtc::rtcp
