#pragma once
// Writes an RTP fixed header (RFC 3550 5.1) plus an optional one-byte header extension block
// (RFC 8285 4.2) into caller memory. No CSRCs: we are the only source of what we send.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "webrtc/rtp/rtp_packet.hpp"

namespace webrtc::rtp {

class RtpHeaderWriter {
 public:
  static constexpr size_t MaxExtensionBytes = 64;  // elements incl. their one-byte headers

  explicit RtpHeaderWriter(const RtpHeader& header = {}) noexcept : header_(header) {}

  RtpHeader& header() noexcept { return header_; }
  const RtpHeader& header() const noexcept { return header_; }

  // Adds a one-byte-form element: id 1..14, 1..16 value bytes (RFC 8285 4.2). Returns false
  // when the id or size is invalid or the block would exceed MaxExtensionBytes.
  bool add_extension(uint8_t id, std::span<const uint8_t> value) noexcept;
  void clear_extensions() noexcept { extension_used_ = 0; }

  // Bytes written by write_to(): 12, or 12 + 4 + the element block padded to 32 bits.
  size_t size() const noexcept;
  // Returns the number of bytes written, 0 when `out` is smaller than size().
  size_t write_to(std::span<uint8_t> out) const noexcept;

 private:
  RtpHeader header_;
  std::array<uint8_t, MaxExtensionBytes> extension_{};
  size_t extension_used_ = 0;
};

// In-place rewrites of a stored packet's fixed header, used per viewer on a private copy of a
// shared packet. Each returns false when `packet` is shorter than the fixed header.
bool set_ssrc(std::span<uint8_t> packet, uint32_t ssrc) noexcept;
bool set_sequence_number(std::span<uint8_t> packet, uint16_t seq) noexcept;
bool set_timestamp(std::span<uint8_t> packet, uint32_t ts) noexcept;
bool set_payload_type(std::span<uint8_t> packet, uint8_t pt) noexcept;
bool set_marker(std::span<uint8_t> packet, bool marker) noexcept;
// Overwrites the value of an existing extension element of exactly value.size() bytes (e.g. a
// per-viewer transport-wide sequence number). False when the packet has no such element.
bool set_extension_value(std::span<uint8_t> packet, uint8_t id,
                         std::span<const uint8_t> value) noexcept;

}  // namespace webrtc::rtp
