#include "webrtc/rtcp/fir.hpp"

#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {

std::optional<Fir> Fir::parse(const RtcpPacket& packet) noexcept {
  auto ssrcs = parse_feedback(packet, packet_type::PayloadFeedback, feedback_format::Fir);
  if (!ssrcs) return std::nullopt;
  // RFC 5104 4.3.1.1: one or more 8-byte entries (SSRC, seq nr, 24 reserved bits).
  auto fci = packet.body().subspan(8);
  if (fci.empty() || fci.size() % EntrySize != 0) return std::nullopt;
  Fir f;
  f.sender_ssrc_ = ssrcs->sender_ssrc;
  f.wire_ = fci;
  return f;
}

FirEntry Fir::entry(size_t i) const noexcept {
  if (i >= entry_count()) return {};
  if (!built_.empty()) return built_[i];
  const auto p = wire_.subspan(i * EntrySize, EntrySize);
  return {uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3], p[4]};
}

size_t Fir::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (out.size() < n || entry_count() == 0 || n / 4 - 1 > 0xFFFF) return 0;
  write_header(out, feedback_format::Fir, packet_type::PayloadFeedback, n);
  detail::SpanWriter w(out.subspan(HeaderSize));
  w.u32(sender_ssrc_);
  w.u32(0);
  for (size_t i = 0; i < entry_count(); ++i) {
    const FirEntry e = entry(i);
    w.u32(e.ssrc);
    w.u8(e.sequence_number);
    w.u24(0);
  }
  return n;
}

}  // namespace webrtc::rtcp
