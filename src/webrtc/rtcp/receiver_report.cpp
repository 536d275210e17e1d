#include "webrtc/rtcp/receiver_report.hpp"

#include "base/byte_reader.hpp"
#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {

std::optional<ReceiverReport> ReceiverReport::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != packet_type::ReceiverReport) return std::nullopt;
  base::ByteReader r(packet.body());
  auto ssrc = r.u32();
  if (!ssrc) return std::nullopt;
  // RFC 3550 6.4.2: RC blocks; trailing profile-specific extension bytes are ignored.
  auto blocks = r.bytes(size_t{packet.count} * ReportBlock::Size);
  if (!blocks) return std::nullopt;
  ReceiverReport rr;
  rr.sender_ssrc = *ssrc;
  rr.report_blocks = ReportBlocks::from_wire(*blocks);
  return rr;
}

size_t ReceiverReport::size() const noexcept {
  return HeaderSize + 4 + report_blocks.size() * ReportBlock::Size;
}

size_t ReceiverReport::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (out.size() < n || report_blocks.size() > MaxReportBlocks) return 0;
  write_header(out, static_cast<uint8_t>(report_blocks.size()), packet_type::ReceiverReport, n);
  detail::SpanWriter w(out.subspan(HeaderSize));
  w.u32(sender_ssrc);
  report_blocks.write_to(out.subspan(HeaderSize + 4));
  return n;
}

}  // namespace webrtc::rtcp
