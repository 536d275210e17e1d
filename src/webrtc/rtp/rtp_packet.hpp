#pragma once
// Read-only view of one RTP packet (RFC 3550 5.1) with header extensions (RFC 8285). The view
// points into the caller's bytes and lives no longer than they do.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace webrtc::rtp {

constexpr size_t FixedHeaderSize = 12;
constexpr uint16_t OneByteExtensionProfile = 0xBEDE;  // RFC 8285 4.2
constexpr uint16_t TwoByteExtensionProfile = 0x1000;  // RFC 8285 4.3 (low 4 bits: appbits)
constexpr uint16_t TwoByteExtensionProfileMask = 0xFFF0;

// The fixed header fields; CSRCs and the extension stay in the packet bytes.
struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;

  bool operator==(const RtpHeader&) const = default;
};

class RtpPacketView {
 public:
  // Cheap classifier for a demultiplexed UDP datagram: version 2 and not an RTCP packet type
  // (RFC 5761 4: second byte 192-223 is RTCP).
  static bool is_rtp(std::span<const uint8_t> in) noexcept;
  static std::optional<RtpPacketView> parse(std::span<const uint8_t> in) noexcept;

  const RtpHeader& header() const noexcept { return header_; }
  bool marker() const noexcept { return header_.marker; }
  uint8_t payload_type() const noexcept { return header_.payload_type; }
  uint16_t sequence_number() const noexcept { return header_.sequence_number; }
  uint32_t timestamp() const noexcept { return header_.timestamp; }
  uint32_t ssrc() const noexcept { return header_.ssrc; }
  size_t csrc_count() const noexcept { return csrc_count_; }
  uint32_t csrc(size_t i) const noexcept;  // i < csrc_count()

  bool has_extension() const noexcept { return has_extension_; }
  uint16_t extension_profile() const noexcept { return extension_profile_; }
  std::span<const uint8_t> extension_data() const noexcept { return extension_data_; }
  // Value of extension element `id` in the one-byte or two-byte form, or nullopt when absent,
  // when the block uses another profile, or when the element list is malformed.
  std::optional<std::span<const uint8_t>> find_extension(uint8_t id) const noexcept;

  size_t header_size() const noexcept { return header_size_; }
  std::span<const uint8_t> payload() const noexcept { return payload_; }
  size_t padding_size() const noexcept { return padding_size_; }
  std::span<const uint8_t> bytes() const noexcept { return bytes_; }

 private:
  RtpPacketView() = default;

  RtpHeader header_;
  size_t csrc_count_ = 0;
  bool has_extension_ = false;
  uint16_t extension_profile_ = 0;
  std::span<const uint8_t> extension_data_;
  size_t header_size_ = 0;
  std::span<const uint8_t> payload_;
  size_t padding_size_ = 0;
  std::span<const uint8_t> bytes_;
};

// Walks the elements of an RFC 8285 extension block. Returns false on a malformed list; `fn`
// receives (id, value) for each element and returns false to stop early.
template <typename Fn>
bool for_each_extension(uint16_t profile, std::span<const uint8_t> data, Fn&& fn) noexcept {
  const bool one_byte = profile == OneByteExtensionProfile;
  if (!one_byte && (profile & TwoByteExtensionProfileMask) != TwoByteExtensionProfile) {
    return false;
  }
  size_t pos = 0;
  while (pos < data.size()) {
    const uint8_t first = data[pos];
    if (first == 0) {  // padding byte between elements (RFC 8285 4.2, 4.3)
      ++pos;
      continue;
    }
    uint8_t id = 0;
    size_t len = 0;
    if (one_byte) {
      id = first >> 4;
      if (id == 15) return true;  // RFC 8285 4.2: reserved, stop processing
      len = size_t{first & 0x0Fu} + 1;
      pos += 1;
    } else {
      if (pos + 2 > data.size()) return false;
      id = first;
      len = data[pos + 1];
      pos += 2;
    }
    if (len > data.size() - pos) return false;
    if (!fn(id, data.subspan(pos, len))) return true;
    pos += len;
  }
  return true;
}

}  // namespace webrtc::rtp
