#pragma once
// The RTCP a viewer sends (before SRTCP protection): a compound RR + SDES CNAME (RFC 3550 6.1:
// every compound packet starts with a report and carries a CNAME), generic NACK (RFC 4585
// 6.2.1) and PLI (RFC 4585 6.3.1). Each writes into caller memory and returns the size
// written, 0 when `out` is too small or the input is invalid.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "webrtc/rtcp/report_block.hpp"

namespace tools::whep_client {

// Up to 31 report blocks (RFC 3550 6.4.2); more are cut.
size_t write_receiver_report(std::span<uint8_t> out, uint32_t sender_ssrc, std::string_view cname,
                             std::span<const webrtc::rtcp::ReportBlock> blocks) noexcept;

// `lost` ascending in serial order; packed into PID/BLP items (at most MaxNackItems).
inline constexpr size_t MaxNackItems = 64;
size_t write_nack(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                  std::span<const uint16_t> lost) noexcept;

size_t write_pli(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc) noexcept;

}  // namespace tools::whep_client
