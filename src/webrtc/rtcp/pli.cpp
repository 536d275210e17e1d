#include "webrtc/rtcp/pli.hpp"

#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {

std::optional<Pli> Pli::parse(const RtcpPacket& packet) noexcept {
  auto ssrcs = parse_feedback(packet, packet_type::PayloadFeedback, feedback_format::Pli);
  if (!ssrcs) return std::nullopt;
  return Pli{ssrcs->sender_ssrc, ssrcs->media_ssrc};  // RFC 4585 6.3.1.2: FCI ignored
}

size_t Pli::write_to(std::span<uint8_t> out) const noexcept {
  if (out.size() < FeedbackHeaderSize) return 0;
  write_header(out, feedback_format::Pli, packet_type::PayloadFeedback, FeedbackHeaderSize);
  detail::SpanWriter w(out.subspan(HeaderSize));
  w.u32(sender_ssrc);
  w.u32(media_ssrc);
  return FeedbackHeaderSize;
}

}  // namespace webrtc::rtcp
