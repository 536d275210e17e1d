#include "webrtc/rtp/rtp_packet.hpp"

#include "base/byte_reader.hpp"

namespace webrtc::rtp {

bool RtpPacketView::is_rtp(std::span<const uint8_t> in) noexcept {
  if (in.size() < FixedHeaderSize) return false;
  if ((in[0] >> 6) != 2) return false;
  return in[1] < 192 || in[1] > 223;  // RFC 5761 4
}

uint32_t RtpPacketView::csrc(size_t i) const noexcept {
  if (i >= csrc_count_) return 0;
  const size_t off = FixedHeaderSize + 4 * i;
  return uint32_t{bytes_[off]} << 24 | uint32_t{bytes_[off + 1]} << 16 |
         uint32_t{bytes_[off + 2]} << 8 | bytes_[off + 3];
}

std::optional<RtpPacketView> RtpPacketView::parse(std::span<const uint8_t> in) noexcept {
  base::ByteReader r(in);
  // RFC 3550 5.1: 12-byte fixed header.
  auto b0 = r.u8();
  auto b1 = r.u8();
  auto seq = r.u16();
  auto ts = r.u32();
  auto ssrc = r.u32();
  if (!ssrc || (*b0 >> 6) != 2) return std::nullopt;
  RtpPacketView v;
  v.bytes_ = in;
  v.header_ = {(*b1 & 0x80) != 0, static_cast<uint8_t>(*b1 & 0x7F), *seq, *ts, *ssrc};
  v.csrc_count_ = *b0 & 0x0F;
  if (!r.skip(4 * v.csrc_count_)) return std::nullopt;  // RFC 3550 5.1: CC * 32-bit CSRC
  if (*b0 & 0x10) {
    // RFC 3550 5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the data.
    auto profile = r.u16();
    auto words = r.u16();
    if (!words) return std::nullopt;
    auto data = r.bytes(size_t{*words} * 4);
    if (!data) return std::nullopt;
    v.has_extension_ = true;
    v.extension_profile_ = *profile;
    v.extension_data_ = *data;
  }
  v.header_size_ = r.position();
  size_t payload_size = r.remaining();
  if (*b0 & 0x20) {
    // RFC 3550 5.1: the last octet counts padding octets, itself included.
    if (payload_size == 0) return std::nullopt;
    const uint8_t pad = in.back();
    if (pad == 0 || pad > payload_size) return std::nullopt;
    v.padding_size_ = pad;
    payload_size -= pad;
  }
  v.payload_ = in.subspan(v.header_size_, payload_size);
  return v;
}

std::optional<std::span<const uint8_t>> RtpPacketView::find_extension(uint8_t id) const noexcept {
  if (!has_extension_) return std::nullopt;
  std::optional<std::span<const uint8_t>> found;
  const bool ok = for_each_extension(extension_profile_, extension_data_,
                                     [&](uint8_t eid, std::span<const uint8_t> value) {
                                       if (eid != id) return true;
                                       found = value;
                                       return false;
                                     });
  if (!ok) return std::nullopt;
  return found;
}

}  // namespace webrtc::rtp
