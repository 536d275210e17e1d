#include "webrtc/rtcp/transport_cc.hpp"

#include "base/byte_reader.hpp"

namespace webrtc::rtcp {
namespace {

// 3.1.1 packet status symbols.
constexpr uint8_t NotReceived = 0;
constexpr uint8_t SmallDelta = 1;
constexpr uint8_t LargeDelta = 2;  // large or negative delta
constexpr uint8_t Reserved = 3;    // malformed here

// Records `symbol` for the next packet. The symbol waits in delta_us until the deltas are read.
bool put_symbol(std::span<TransportCcPacket> out, size_t& filled, uint8_t symbol) noexcept {
  if (symbol == Reserved) return false;
  out[filled].received = symbol != NotReceived;
  out[filled].delta_us = symbol;
  ++filled;
  return true;
}

// Reads packet status chunks until `count` packets have a symbol.
bool read_chunks(base::ByteReader& r, std::span<TransportCcPacket> out, size_t count) noexcept {
  size_t filled = 0;
  while (filled < count) {
    auto chunk = r.u16();
    if (!chunk) return false;  // the chunks cover fewer packets than the count
    if ((*chunk & 0x8000) == 0) {
      // 3.1.3 run length chunk: T=0, S (2 bits), run length (13 bits).
      const auto symbol = static_cast<uint8_t>((*chunk >> 13) & 0x3);
      size_t run = *chunk & 0x1FFF;
      if (run > count - filled) run = count - filled;  // a last run may overshoot the count
      for (size_t i = 0; i < run; ++i)
        if (!put_symbol(out, filled, symbol)) return false;
    } else if ((*chunk & 0x4000) == 0) {
      // 3.1.4 status vector chunk, S=0: 14 one-bit symbols, first packet in the highest bit.
      for (int bit = 13; bit >= 0 && filled < count; --bit)
        (void)put_symbol(out, filled, static_cast<uint8_t>((*chunk >> bit) & 0x1));
    } else {
      // 3.1.4 status vector chunk, S=1: 7 two-bit symbols.
      for (int shift = 12; shift >= 0 && filled < count; shift -= 2)
        if (!put_symbol(out, filled, static_cast<uint8_t>((*chunk >> shift) & 0x3))) return false;
    }
  }
  return true;
}

// Replaces each symbol by its receive delta (3.1.5), in packet order.
bool read_deltas(base::ByteReader& r, std::span<TransportCcPacket> out) noexcept {
  for (auto& p : out) {
    const auto symbol = p.delta_us;
    if (symbol == SmallDelta) {
      auto d = r.u8();  // unsigned, 0..63.75 ms
      if (!d) return false;
      p.delta_us = int32_t{*d} * TransportCc::DeltaUnitUs;
    } else if (symbol == LargeDelta) {
      auto d = r.u16();  // signed, -8192..8191.75 ms
      if (!d) return false;
      p.delta_us = int32_t{static_cast<int16_t>(*d)} * TransportCc::DeltaUnitUs;
    } else {
      p.delta_us = 0;
    }
  }
  return true;
}

}  // namespace

std::optional<TransportCc> TransportCc::parse(const RtcpPacket& packet) noexcept {
  auto ssrcs = parse_feedback(packet, packet_type::RtpFeedback, feedback_format::TransportCc);
  if (!ssrcs) return std::nullopt;
  base::ByteReader r(packet.body().subspan(8));
  // 3.1: base sequence (16), packet status count (16), reference time (24), fb pkt count (8).
  auto base_seq = r.u16();
  auto count = r.u16();
  auto ref = r.u24();
  auto fb = r.u8();
  // Every field is checked: a failed read does not advance, so a later one may still succeed.
  if (!base_seq || !count || !ref || !fb) return std::nullopt;
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

std::optional<size_t> TransportCc::decode(std::span<TransportCcPacket> out) const noexcept {
  const size_t count = packet_status_count;
  if (out.size() < count) return std::nullopt;
  out = out.first(count);
  base::ByteReader r(chunks_and_deltas);
  if (!read_chunks(r, out, count) || !read_deltas(r, out)) return std::nullopt;
  // 3.1: the packet ends on a 32-bit boundary. Chromium pads with the P bit (already stripped
  // by RtcpPacket::parse); others may leave up to 3 octets after the deltas instead.
  if (r.remaining() > 3) return std::nullopt;
  for (size_t i = 0; i < count; ++i)
    out[i].sequence = static_cast<uint16_t>(base_sequence + i);
  return count;
}

}  // namespace webrtc::rtcp
