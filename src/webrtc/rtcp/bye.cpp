#include "webrtc/rtcp/bye.hpp"

#include "base/byte_reader.hpp"
#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {

std::optional<Bye> Bye::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != packet_type::Bye) return std::nullopt;
  base::ByteReader r(packet.body());
  auto ssrcs = r.bytes(size_t{packet.count} * 4);
  if (!ssrcs) return std::nullopt;
  Bye b;
  b.wire_ = *ssrcs;
  if (!r.empty()) {
    // RFC 3550 6.6: optional length-prefixed reason, padded to 32 bits.
    auto len = r.u8();
    auto text = r.string(*len);
    if (!text) return std::nullopt;
    b.reason_ = *text;
  }
  return b;
}

uint32_t Bye::ssrc(size_t i) const noexcept {
  if (i >= source_count()) return 0;
  if (!built_.empty()) return built_[i];
  const auto p = wire_.subspan(i * 4, 4);
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

size_t Bye::size() const noexcept {
  size_t n = HeaderSize + 4 * source_count();
  if (!reason_.empty()) n += (1 + reason_.size() + 3) & ~size_t{3};
  return n;
}

size_t Bye::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  const size_t count = source_count();
  if (out.size() < n || count > MaxSources || reason_.size() > 255) return 0;
  write_header(out, static_cast<uint8_t>(count), packet_type::Bye, n);
  detail::SpanWriter w(out.subspan(HeaderSize));
  for (size_t i = 0; i < count; ++i)
    w.u32(ssrc(i));
  if (!reason_.empty()) {
    w.u8(static_cast<uint8_t>(reason_.size()));
    w.string(reason_);
    w.zeros(n - HeaderSize - w.position());
  }
  return n;
}

}  // namespace webrtc::rtcp
