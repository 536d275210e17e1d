#pragma once
// Protocol control (RTMP spec 1.0, section 5.4) and User Control (section 6.2, 7.1.7) message
// payloads: tiny fixed layouts, built into arrays and parsed without allocation.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace rtmp {

enum class UserControlEvent : uint16_t {
  StreamBegin = 0,
  StreamEof = 1,
  StreamDry = 2,
  SetBufferLength = 3,
  StreamIsRecorded = 4,
  PingRequest = 6,
  PingResponse = 7,
};

// Set Peer Bandwidth limit type, section 5.4.5.
enum class BandwidthLimit : uint8_t { Hard = 0, Soft = 1, Dynamic = 2 };

struct UserControl {
  UserControlEvent event{};
  uint32_t value = 0;  // stream id, or timestamp for ping events
  uint32_t extra = 0;  // SetBufferLength: buffer length in ms

  static std::optional<UserControl> parse(std::span<const uint8_t> payload) noexcept;
  // Event type + 4-byte value (every event we send has one value).
  static std::array<uint8_t, 6> encode(UserControlEvent event, uint32_t value) noexcept;
};

// Set Chunk Size (5.4.1), Abort (5.4.2), Acknowledgement (5.4.3), Window Ack Size (5.4.4).
std::array<uint8_t, 4> encode_u32_control(uint32_t value) noexcept;
std::optional<uint32_t> parse_u32_control(std::span<const uint8_t> payload) noexcept;
// Set Peer Bandwidth (5.4.5): window size and limit type.
std::array<uint8_t, 5> encode_peer_bandwidth(uint32_t window, BandwidthLimit limit) noexcept;

}  // namespace rtmp
