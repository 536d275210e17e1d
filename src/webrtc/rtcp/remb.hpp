#pragma once
// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 2.2): PSFB FMT 15
// (application layer feedback, RFC 4585 6.4) with the 'REMB' identifier. Parse only: we read
// Chrome's estimate, we never send one.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

class Remb {
 public:
  static std::optional<Remb> parse(const RtcpPacket& packet) noexcept;

  uint32_t sender_ssrc() const noexcept { return sender_ssrc_; }
  uint64_t bitrate_bps() const noexcept { return bitrate_bps_; }  // saturates at UINT64_MAX
  size_t ssrc_count() const noexcept { return ssrcs_.size() / 4; }
  uint32_t ssrc(size_t i) const noexcept;  // 0 when i >= ssrc_count()

 private:
  uint32_t sender_ssrc_ = 0;
  uint64_t bitrate_bps_ = 0;
  std::span<const uint8_t> ssrcs_;
};

}  // namespace webrtc::rtcp
