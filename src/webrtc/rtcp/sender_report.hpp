#pragma once
// Sender report (RFC 3550 6.4.1): our NTP/RTP timestamp pair and send counts, plus up to 31
// reception report blocks.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/report_block.hpp"
#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

struct SenderReport {
  static constexpr size_t MaxReportBlocks = 31;

  uint32_t sender_ssrc = 0;
  uint64_t ntp_timestamp = 0;  // 32.32 fixed point seconds since 1900 (see ntp_time.hpp)
  uint32_t rtp_timestamp = 0;  // the same instant on the RTP clock
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;    // payload octets only
  ReportBlocks report_blocks;  // points into the parsed packet or caller memory

  static std::optional<SenderReport> parse(const RtcpPacket& packet) noexcept;
  size_t size() const noexcept;
  size_t write_to(std::span<uint8_t> out) const noexcept;  // 0 if too small or > 31 blocks
};

}  // namespace webrtc::rtcp
