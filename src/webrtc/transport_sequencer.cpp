#include "webrtc/transport_sequencer.hpp"

namespace webrtc {

void TransportSequencer::write_extension(std::span<uint8_t, ExtensionBytes> out) noexcept {
  last_ = next_++;
  const auto seq = static_cast<uint16_t>(last_);
  // RFC 8285 4.2: "defined by profile" 0xBEDE, length 1 (32-bit words), then the element:
  // id in the high nibble, length - 1 (two bytes: 1) in the low one, and one byte of padding.
  out[0] = 0xBE;
  out[1] = 0xDE;
  out[2] = 0;
  out[3] = 1;
  out[4] = static_cast<uint8_t>(id_ << 4 | 1);
  out[5] = static_cast<uint8_t>(seq >> 8);
  out[6] = static_cast<uint8_t>(seq);
  out[7] = 0;
}

}  // namespace webrtc
