#pragma once
// Iterates the packets of a compound RTCP packet (RFC 3550 6.1). Reduced-size RTCP (RFC 5506,
// which Chrome negotiates with a=rtcp-rsize) may start with any type, so no order is enforced.
#include <cstddef>
#include <optional>
#include <span>

#include "webrtc/rtcp/rtcp_packet.hpp"

namespace webrtc::rtcp {

class CompoundReader {
 public:
  explicit CompoundReader(std::span<const uint8_t> in) noexcept : in_(in) {}

  // nullopt at the end or on the first malformed packet (then failed() is true and the rest of
  // the datagram is ignored: its framing can no longer be trusted).
  std::optional<RtcpPacket> next() noexcept;
  bool failed() const noexcept { return failed_; }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace webrtc::rtcp
