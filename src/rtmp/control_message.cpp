#include "rtmp/control_message.hpp"

#include "base/byte_reader.hpp"

namespace rtmp {

std::optional<UserControl> UserControl::parse(std::span<const uint8_t> payload) noexcept {
  base::ByteReader r(payload);
  const auto event = r.u16();
  const auto value = r.u32();
  if (!event || !value) return std::nullopt;
  UserControl out;
  out.event = static_cast<UserControlEvent>(*event);
  out.value = *value;
  if (out.event == UserControlEvent::SetBufferLength) {
    const auto extra = r.u32();
    if (!extra) return std::nullopt;
    out.extra = *extra;
  }
  return out;
}

std::array<uint8_t, 6> UserControl::encode(UserControlEvent event, uint32_t value) noexcept {
  const auto e = static_cast<uint16_t>(event);
  return {static_cast<uint8_t>(e >> 8),      static_cast<uint8_t>(e),
          static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
          static_cast<uint8_t>(value >> 8),  static_cast<uint8_t>(value)};
}

std::array<uint8_t, 4> encode_u32_control(uint32_t value) noexcept {
  return {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
          static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
}

std::optional<uint32_t> parse_u32_control(std::span<const uint8_t> payload) noexcept {
  return base::ByteReader(payload).u32();
}

std::array<uint8_t, 5> encode_peer_bandwidth(uint32_t window, BandwidthLimit limit) noexcept {
  const auto w = encode_u32_control(window);
  return {w[0], w[1], w[2], w[3], static_cast<uint8_t>(limit)};
}

}  // namespace rtmp
