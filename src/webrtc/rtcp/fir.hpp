#pragma once
// Full intra request (RFC 5104 4.3.1): PSFB FMT 4 with (SSRC, command sequence number)
// entries. A repeated sequence number is a retransmission of the same request (4.3.1.1).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t sequence_number = 0;
  bool operator==(const FirEntry&) const = default;
};

class Fir {
 public:
  static constexpr size_t EntrySize = 8;

  Fir() = default;
  // Built from caller memory. The media SSRC of the header is 0 (RFC 5104 4.3.1.2).
  Fir(uint32_t sender_ssrc, std::span<const FirEntry> entries) noexcept
      : sender_ssrc_(sender_ssrc), built_(entries) {}

  static std::optional<Fir> parse(const RtcpPacket& packet) noexcept;

  uint32_t sender_ssrc() const noexcept { return sender_ssrc_; }
  size_t entry_count() const noexcept {
    return built_.empty() ? wire_.size() / EntrySize : built_.size();
  }
  FirEntry entry(size_t i) const noexcept;  // {} when i >= entry_count()

  size_t size() const noexcept { return FeedbackHeaderSize + EntrySize * entry_count(); }
  size_t write_to(std::span<uint8_t> out) const noexcept;  // 0 if too small or no entries

 private:
  uint32_t sender_ssrc_ = 0;
  std::span<const FirEntry> built_;
  std::span<const uint8_t> wire_;  // FCI
};

}  // namespace webrtc::rtcp
