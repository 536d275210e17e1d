#include "webrtc/rtp/rtp_header_writer.hpp"

#include <cstring>

namespace webrtc::rtp {
namespace {

void put16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

size_t padded_block(size_t used) noexcept {
  return (used + 3) & ~size_t{3};
}

}  // namespace

bool RtpHeaderWriter::add_extension(uint8_t id, std::span<const uint8_t> value) noexcept {
  if (id < 1 || id > 14 || value.empty() || value.size() > 16) return false;
  if (extension_used_ + 1 + value.size() > MaxExtensionBytes) return false;
  extension_[extension_used_++] = static_cast<uint8_t>(id << 4 | (value.size() - 1));
  std::memcpy(extension_.data() + extension_used_, value.data(), value.size());
  extension_used_ += value.size();
  return true;
}

size_t RtpHeaderWriter::size() const noexcept {
  if (extension_used_ == 0) return FixedHeaderSize;
  return FixedHeaderSize + 4 + padded_block(extension_used_);
}

size_t RtpHeaderWriter::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (out.size() < n) return 0;
  uint8_t* p = out.data();
  p[0] = static_cast<uint8_t>(0x80 | (extension_used_ ? 0x10 : 0));
  p[1] = static_cast<uint8_t>((header_.marker ? 0x80 : 0) | (header_.payload_type & 0x7F));
  put16(p + 2, header_.sequence_number);
  put32(p + 4, header_.timestamp);
  put32(p + 8, header_.ssrc);
  if (extension_used_ == 0) return n;
  const size_t block = padded_block(extension_used_);
  put16(p + 12, OneByteExtensionProfile);
  put16(p + 14, static_cast<uint16_t>(block / 4));
  std::memcpy(p + 16, extension_.data(), extension_used_);
  std::memset(p + 16 + extension_used_, 0, block - extension_used_);  // RFC 8285 4.2 padding
  return n;
}

bool set_ssrc(std::span<uint8_t> packet, uint32_t ssrc) noexcept {
  if (packet.size() < FixedHeaderSize) return false;
  put32(packet.data() + 8, ssrc);
  return true;
}

bool set_sequence_number(std::span<uint8_t> packet, uint16_t seq) noexcept {
  if (packet.size() < FixedHeaderSize) return false;
  put16(packet.data() + 2, seq);
  return true;
}

bool set_timestamp(std::span<uint8_t> packet, uint32_t ts) noexcept {
  if (packet.size() < FixedHeaderSize) return false;
  put32(packet.data() + 4, ts);
  return true;
}

bool set_payload_type(std::span<uint8_t> packet, uint8_t pt) noexcept {
  if (packet.size() < FixedHeaderSize) return false;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x80) | (pt & 0x7F));
  return true;
}

bool set_marker(std::span<uint8_t> packet, bool marker) noexcept {
  if (packet.size() < FixedHeaderSize) return false;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x7F) | (marker ? 0x80 : 0));
  return true;
}

bool set_extension_value(std::span<uint8_t> packet, uint8_t id,
                         std::span<const uint8_t> value) noexcept {
  auto view = RtpPacketView::parse(packet);
  if (!view) return false;
  auto found = view->find_extension(id);
  if (!found || found->size() != value.size()) return false;
  if (value.empty()) return true;
  // The found span points into `packet`; translate it back to a writable offset.
  const size_t offset = static_cast<size_t>(found->data() - packet.data());
  std::memcpy(packet.data() + offset, value.data(), value.size());
  return true;
}

}  // namespace webrtc::rtp
