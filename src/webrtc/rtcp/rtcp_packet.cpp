#include "webrtc/rtcp/rtcp_packet.hpp"

#include "base/byte_reader.hpp"

namespace webrtc::rtcp {

bool is_rtcp(std::span<const uint8_t> in) noexcept {
  if (in.size() < HeaderSize) return false;
  return (in[0] >> 6) == 2 && in[1] >= 192 && in[1] <= 223;
}

std::optional<RtcpPacket> RtcpPacket::parse(std::span<const uint8_t> in,
                                            size_t& consumed) noexcept {
  base::ByteReader r(in);
  auto b0 = r.u8();
  auto pt = r.u8();
  auto words = r.u16();
  if (!words || (*b0 >> 6) != 2) return std::nullopt;
  // RFC 3550 6.4.1: length is in 32-bit words minus one, header included.
  const size_t total = (size_t{*words} + 1) * 4;
  if (total > in.size()) return std::nullopt;
  size_t used = total;
  if (*b0 & 0x20) {
    // RFC 3550 6.4.1: the last octet counts the padding octets, itself included.
    const uint8_t pad = in[total - 1];
    if (pad == 0 || pad > total - HeaderSize) return std::nullopt;
    used -= pad;
  }
  consumed = total;
  return RtcpPacket{static_cast<uint8_t>(*b0 & 0x1F), *pt, in.first(used)};
}

void write_header(std::span<uint8_t> out, uint8_t count, uint8_t type, size_t total_size) noexcept {
  if (out.size() < HeaderSize) return;
  const size_t words = total_size / 4 - 1;
  out[0] = static_cast<uint8_t>(0x80 | (count & 0x1F));
  out[1] = type;
  out[2] = static_cast<uint8_t>(words >> 8);
  out[3] = static_cast<uint8_t>(words);
}

std::optional<FeedbackSsrcs> parse_feedback(const RtcpPacket& packet, uint8_t type,
                                            uint8_t format) noexcept {
  if (packet.type != type || packet.count != format) return std::nullopt;
  base::ByteReader r(packet.body());
  auto sender = r.u32();
  auto media = r.u32();
  if (!media) return std::nullopt;
  return FeedbackSsrcs{*sender, *media};
}

}  // namespace webrtc::rtcp
