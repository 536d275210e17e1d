#include "webrtc/rtcp/sender_report.hpp"

#include "base/byte_reader.hpp"
#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {

std::optional<SenderReport> SenderReport::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != packet_type::SenderReport) return std::nullopt;
  base::ByteReader r(packet.body());
  SenderReport sr;
  auto ssrc = r.u32();
  auto ntp = r.u64();
  auto rtp = r.u32();
  auto packets = r.u32();
  auto octets = r.u32();
  if (!octets) return std::nullopt;
  // RFC 3550 6.4.1: SC blocks follow; anything after them is a profile extension.
  auto blocks = r.bytes(size_t{packet.count} * ReportBlock::Size);
  if (!blocks) return std::nullopt;
  sr.sender_ssrc = *ssrc;
  sr.ntp_timestamp = *ntp;
  sr.rtp_timestamp = *rtp;
  sr.packet_count = *packets;
  sr.octet_count = *octets;
  sr.report_blocks = ReportBlocks::from_wire(*blocks);
  return sr;
}

size_t SenderReport::size() const noexcept {
  return HeaderSize + 24 + report_blocks.size() * ReportBlock::Size;
}

size_t SenderReport::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (out.size() < n || report_blocks.size() > MaxReportBlocks) return 0;
  write_header(out, static_cast<uint8_t>(report_blocks.size()), packet_type::SenderReport, n);
  detail::SpanWriter w(out.subspan(HeaderSize));
  w.u32(sender_ssrc);
  w.u64(ntp_timestamp);
  w.u32(rtp_timestamp);
  w.u32(packet_count);
  w.u32(octet_count);
  report_blocks.write_to(out.subspan(HeaderSize + 24));
  return n;
}

}  // namespace webrtc::rtcp
