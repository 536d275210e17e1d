#pragma once
// Generic NACK (RFC 4585 6.2.1): RTPFB FMT 1, FCI entries of a packet ID (PID) and a bitmask
// of the 16 following lost packets (BLP).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;  // bit i set: pid + i + 1 is lost too
  bool operator==(const NackItem&) const = default;
};

class GenericNack {
 public:
  static constexpr size_t MaxLostPerItem = 17;

  GenericNack() = default;
  // Built from caller memory, which must outlive the object.
  GenericNack(uint32_t sender_ssrc, uint32_t media_ssrc, std::span<const NackItem> items) noexcept
      : ssrcs_{sender_ssrc, media_ssrc}, built_(items) {}

  static std::optional<GenericNack> parse(const RtcpPacket& packet) noexcept;

  uint32_t sender_ssrc() const noexcept { return ssrcs_.sender_ssrc; }
  uint32_t media_ssrc() const noexcept { return ssrcs_.media_ssrc; }
  size_t item_count() const noexcept { return built_.empty() ? wire_.size() / 4 : built_.size(); }
  NackItem item(size_t i) const noexcept;  // {} when i >= item_count()

  // Writes the lost sequence numbers (each PID, then its BLP bits from low to high) into
  // `out` and returns how many were written; stops when `out` is full.
  size_t expand(std::span<uint16_t> out) const noexcept;
  // Packs sequence numbers, ascending in 16-bit serial order, into as few items as the greedy
  // PID/BLP grouping gives. Returns the number of items written to `out`.
  static size_t pack(std::span<const uint16_t> lost, std::span<NackItem> out) noexcept;

  size_t size() const noexcept { return FeedbackHeaderSize + 4 * item_count(); }
  size_t write_to(std::span<uint8_t> out) const noexcept;  // 0 if too small or no items

 private:
  FeedbackSsrcs ssrcs_;
  std::span<const NackItem> built_;
  std::span<const uint8_t> wire_;  // FCI
};

}  // namespace webrtc::rtcp
