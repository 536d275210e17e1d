#pragma once
// The VP8 payload descriptor that starts every VP8 RTP payload (RFC 7741 section 4.2), and the
// key frame bit of the VP8 payload header that follows it at the start of a frame (4.3). A
// cheap parse into a value (the descriptor is at most 6 bytes) and a writer into caller memory.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace webrtc::rtp {

struct Vp8PayloadDescriptor {
  static constexpr size_t MaxSize = 6;
  static constexpr uint8_t MaxPartitionId = 7;
  static constexpr uint16_t MaxPictureId = 0x7FFF;  // 15 bits (M=1); 7 bits with M=0

  bool extended = false;       // X set with no optional field (parsed); written when needed
  bool non_reference = false;  // N: no other frame depends on this one
  bool start = false;          // S: the first packet of a partition
  uint8_t partition_id = 0;    // PID, 0..7
  std::optional<uint16_t> picture_id;
  bool long_picture_id = true;  // M: 15-bit PictureID (written so whenever one is present)
  std::optional<uint8_t> tl0_pic_idx;
  std::optional<uint8_t> temporal_id;  // TID, 0..3, with Y
  bool layer_sync = false;             // Y
  std::optional<uint8_t> key_index;    // KEYIDX, 0..31

  // The descriptor at the start of `payload` (its size() is the bytes it took). nullopt when a
  // field it announces is cut off or nothing follows it (a VP8 payload is never empty).
  static std::optional<Vp8PayloadDescriptor> parse(std::span<const uint8_t> payload) noexcept;

  // Bytes write_to() produces: 1, plus the extension octet and the fields present.
  size_t size() const noexcept;
  // Writes size() bytes; returns them, or 0 when `out` is too small or a field is out of range.
  size_t write_to(std::span<uint8_t> out) const noexcept;
};

// Whether the VP8 payload after a descriptor with S=1 and PID=0 begins a key frame: the
// payload header's inverse key frame flag P is 0 (RFC 7741 4.3, RFC 6386 9.1).
inline bool vp8_starts_key_frame(const Vp8PayloadDescriptor& d,
                                 std::span<const uint8_t> vp8_payload) noexcept {
  return d.start && d.partition_id == 0 && !vp8_payload.empty() && (vp8_payload[0] & 0x01) == 0;
}

}  // namespace webrtc::rtp
