#include "webrtc/rtcp/transport_cc.hpp"

#include "base/byte_reader.hpp"

namespace webrtc::rtcp {

std::optional<TransportCc> TransportCc::parse(const RtcpPacket& packet) noexcept {
  auto ssrcs = parse_feedback(packet, packet_type::RtpFeedback, feedback_format::TransportCc);
  if (!ssrcs) return std::nullopt;
  base::ByteReader r(packet.body().subspan(8));
  // 3.1: base sequence (16), packet status count (16), reference time (24), fb pkt count (8).
  auto base_seq = r.u16();
  auto count = r.u16();
  auto ref = r.u24();
  auto fb = r.u8();
  if (!fb) return std::nullopt;
  // 3.1.1: reported packets need at least one 16-bit status chunk.
  if (*count > 0 && r.remaining() < 2) return std::nullopt;
  TransportCc t;
  t.sender_ssrc = ssrcs->sender_ssrc;
  t.media_ssrc = ssrcs->media_ssrc;
  t.base_sequence = *base_seq;
  t.packet_status_count = *count;
  t.reference_time =
      (*ref & 0x800000) ? static_cast<int32_t>(*ref) - 0x1000000 : static_cast<int32_t>(*ref);
  t.feedback_count = *fb;
  t.chunks_and_deltas = r.rest();
  return t;
}

}  // namespace webrtc::rtcp
