#include "webrtc/rtcp/remb.hpp"

#include <limits>

#include "base/byte_reader.hpp"

namespace webrtc::rtcp {

std::optional<Remb> Remb::parse(const RtcpPacket& packet) noexcept {
  auto ssrcs =
      parse_feedback(packet, packet_type::PayloadFeedback, feedback_format::ApplicationLayer);
  if (!ssrcs) return std::nullopt;
  base::ByteReader r(packet.body().subspan(8));
  // REMB 2.2: 'R' 'E' 'M' 'B', Num SSRC (8), BR Exp (6), BR Mantissa (18), SSRC list.
  auto id = r.u32();
  auto num = r.u8();
  auto br = r.u24();
  if (!br || *id != 0x52454D42) return std::nullopt;
  auto list = r.bytes(size_t{*num} * 4);
  if (!list) return std::nullopt;
  Remb m;
  m.sender_ssrc_ = ssrcs->sender_ssrc;
  const unsigned exp = *br >> 18;
  const uint64_t mantissa = *br & 0x3FFFF;
  m.bitrate_bps_ = mantissa > (std::numeric_limits<uint64_t>::max() >> exp)
                       ? std::numeric_limits<uint64_t>::max()
                       : mantissa << exp;
  m.ssrcs_ = *list;
  return m;
}

uint32_t Remb::ssrc(size_t i) const noexcept {
  if (i >= ssrc_count()) return 0;
  const auto p = ssrcs_.subspan(i * 4, 4);
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

}  // namespace webrtc::rtcp
