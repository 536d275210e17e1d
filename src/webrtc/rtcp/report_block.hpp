#pragma once
// Reception report block (RFC 3550 6.4.1), carried by SR and RR, and the list of them that a
// parsed packet reads from the wire or a built packet reads from caller memory.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace webrtc::rtcp {

struct ReportBlock {
  static constexpr size_t Size = 24;
  static constexpr int32_t MaxCumulativeLost = 0x7FFFFF;  // 24-bit signed
  static constexpr int32_t MinCumulativeLost = -0x800000;

  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;          // fixed point, lost / expected * 256
  int32_t cumulative_lost = 0;        // may be negative with duplicates (RFC 3550 6.4.1)
  uint32_t extended_highest_seq = 0;  // cycles << 16 | highest sequence number
  uint32_t jitter = 0;                // in RTP timestamp units
  uint32_t last_sr = 0;               // LSR: middle 32 bits of the SR's NTP time, 0 if none
  uint32_t delay_since_last_sr = 0;   // DLSR, 1/65536 s

  // Needs exactly Size bytes available.
  static std::optional<ReportBlock> parse(std::span<const uint8_t> in) noexcept;
  size_t write_to(std::span<uint8_t> out) const noexcept;  // cumulative_lost is clamped

  // RFC 3550 6.4.1: RTT = A - LSR - DLSR with A our compact NTP receive time of this report.
  // nullopt when the remote has not seen an SR yet (LSR 0) or the result is negative (clock
  // step or a stale LSR).
  std::optional<std::chrono::microseconds> round_trip_time(uint32_t now_compact_ntp) const noexcept;

  bool operator==(const ReportBlock&) const = default;
};

// Either wire bytes (count * Size, already bounds-checked) or caller-owned structs.
class ReportBlocks {
 public:
  ReportBlocks() = default;
  explicit ReportBlocks(std::span<const ReportBlock> blocks) noexcept : built_(blocks) {}
  static ReportBlocks from_wire(std::span<const uint8_t> bytes) noexcept;

  size_t size() const noexcept {
    return built_.empty() ? wire_.size() / ReportBlock::Size : built_.size();
  }
  ReportBlock operator[](size_t i) const noexcept;  // default block when i >= size()
  size_t write_to(std::span<uint8_t> out) const noexcept;

 private:
  std::span<const uint8_t> wire_;
  std::span<const ReportBlock> built_;
};

}  // namespace webrtc::rtcp
