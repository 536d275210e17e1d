#include "webrtc/rtcp/generic_nack.hpp"

#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {

std::optional<GenericNack> GenericNack::parse(const RtcpPacket& packet) noexcept {
  auto ssrcs = parse_feedback(packet, packet_type::RtpFeedback, feedback_format::GenericNack);
  if (!ssrcs) return std::nullopt;
  // RFC 4585 6.2.1: one or more 4-byte FCI entries.
  auto fci = packet.body().subspan(8);
  if (fci.empty() || fci.size() % 4 != 0) return std::nullopt;
  GenericNack n;
  n.ssrcs_ = *ssrcs;
  n.wire_ = fci;
  return n;
}

NackItem GenericNack::item(size_t i) const noexcept {
  if (i >= item_count()) return {};
  if (!built_.empty()) return built_[i];
  const auto p = wire_.subspan(i * 4, 4);
  return {static_cast<uint16_t>(p[0] << 8 | p[1]), static_cast<uint16_t>(p[2] << 8 | p[3])};
}

size_t GenericNack::expand(std::span<uint16_t> out) const noexcept {
  size_t n = 0;
  for (size_t i = 0; i < item_count(); ++i) {
    const NackItem it = item(i);
    if (n == out.size()) return n;
    out[n++] = it.pid;
    for (int bit = 0; bit < 16; ++bit) {
      if (!(it.blp & (1u << bit))) continue;
      if (n == out.size()) return n;
      out[n++] = static_cast<uint16_t>(it.pid + bit + 1);
    }
  }
  return n;
}

size_t GenericNack::pack(std::span<const uint16_t> lost, std::span<NackItem> out) noexcept {
  size_t n = 0;
  for (uint16_t seq : lost) {
    if (n > 0) {
      const uint16_t d = static_cast<uint16_t>(seq - out[n - 1].pid);
      if (d == 0) continue;  // duplicate
      if (d <= 16) {
        out[n - 1].blp = static_cast<uint16_t>(out[n - 1].blp | (1u << (d - 1)));
        continue;
      }
    }
    if (n == out.size()) break;
    out[n++] = {seq, 0};
  }
  return n;
}

size_t GenericNack::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (out.size() < n || item_count() == 0 || n / 4 - 1 > 0xFFFF) return 0;
  write_header(out, feedback_format::GenericNack, packet_type::RtpFeedback, n);
  detail::SpanWriter w(out.subspan(HeaderSize));
  w.u32(ssrcs_.sender_ssrc);
  w.u32(ssrcs_.media_ssrc);
  for (size_t i = 0; i < item_count(); ++i) {
    const NackItem it = item(i);
    w.u16(it.pid);
    w.u16(it.blp);
  }
  return n;
}

}  // namespace webrtc::rtcp
