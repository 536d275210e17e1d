#include "webrtc/rtcp/sdes.hpp"

#include "base/byte_reader.hpp"
#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {
namespace {

// Reads one chunk at the reader's position (RFC 3550 6.5): SSRC, items, a null item, then
// null octets up to the next 32-bit boundary. Returns false on malformed framing.
bool read_chunk(base::ByteReader& r, SdesChunk& out) noexcept {
  auto ssrc = r.u32();
  if (!ssrc) return false;
  out = {*ssrc, {}};
  for (;;) {
    auto type = r.u8();
    if (!type) return false;
    if (*type == 0) break;
    auto len = r.u8();
    if (!len) return false;
    auto text = r.string(*len);
    if (!text) return false;
    if (*type == Sdes::CnameItem) out.cname = *text;
  }
  const size_t pad = (4 - r.position() % 4) % 4;
  return r.skip(pad);
}

size_t chunk_size(const SdesChunk& c) noexcept {
  const size_t used = 4 + 2 + c.cname.size() + 1;  // SSRC, CNAME item, null item
  return (used + 3) & ~size_t{3};
}

}  // namespace

std::optional<Sdes> Sdes::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != packet_type::Sdes) return std::nullopt;
  base::ByteReader r(packet.body());
  SdesChunk chunk;
  for (size_t i = 0; i < packet.count; ++i) {
    if (!read_chunk(r, chunk)) return std::nullopt;
  }
  Sdes s;
  s.wire_ = packet.body();
  s.wire_count_ = packet.count;
  return s;
}

SdesChunk Sdes::chunk(size_t i) const noexcept {
  if (!built_.empty()) return i < built_.size() ? built_[i] : SdesChunk{};
  if (i >= wire_count_) return {};
  base::ByteReader r(wire_);
  SdesChunk c;
  for (size_t k = 0; k <= i; ++k) {
    if (!read_chunk(r, c)) return {};  // validated by parse(); unreachable
  }
  return c;
}

size_t Sdes::size() const noexcept {
  size_t n = HeaderSize;
  for (size_t i = 0; i < chunk_count(); ++i)
    n += chunk_size(chunk(i));
  return n;
}

size_t Sdes::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  const size_t count = chunk_count();
  if (out.size() < n || count > MaxChunks) return 0;
  for (size_t i = 0; i < count; ++i) {
    if (chunk(i).cname.size() > 255) return 0;
  }
  write_header(out, static_cast<uint8_t>(count), packet_type::Sdes, n);
  detail::SpanWriter w(out.subspan(HeaderSize));
  for (size_t i = 0; i < count; ++i) {
    const SdesChunk c = chunk(i);
    w.u32(c.ssrc);
    w.u8(CnameItem);
    w.u8(static_cast<uint8_t>(c.cname.size()));
    w.string(c.cname);
    w.zeros(chunk_size(c) - 4 - 2 - c.cname.size());  // null item and padding
  }
  return n;
}

}  // namespace webrtc::rtcp
