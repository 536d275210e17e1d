#pragma once
// H.264 NAL unit helpers (ITU-T H.264 7.3.1, 7.4.1): type constants and two bounds-checked
// splitters that yield NAL units as spans into the caller's buffer, without copying.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace webrtc::rtp {

using NalUnit = std::span<const uint8_t>;  // header byte first, no prefix or start code

namespace nal_type {
constexpr uint8_t NonIdrSlice = 1;
constexpr uint8_t IdrSlice = 5;
constexpr uint8_t Sei = 6;
constexpr uint8_t Sps = 7;
constexpr uint8_t Pps = 8;
constexpr uint8_t Aud = 9;
constexpr uint8_t Filler = 12;
constexpr uint8_t StapA = 24;  // RFC 6184 5.7.1
constexpr uint8_t FuA = 28;    // RFC 6184 5.8
}  // namespace nal_type

inline uint8_t nal_unit_type(NalUnit nal) noexcept {
  return nal.empty() ? 0 : nal[0] & 0x1F;
}

// Iterates AVCC: each NAL unit preceded by a 4-byte big-endian length (ISO/IEC 14496-15 5.3.4,
// lengthSizeMinusOne = 3 as normalized at ingest). next() yields nullopt at the end or on a
// length past the end, and failed() tells the two apart.
class AvccReader {
 public:
  explicit AvccReader(std::span<const uint8_t> data) noexcept : data_(data) {}
  std::optional<NalUnit> next() noexcept;
  bool failed() const noexcept { return failed_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// Splits an Annex-B byte stream on 3- or 4-byte start codes (H.264 Annex B.2). Bytes before
// the first start code are skipped; trailing zero bytes of a NAL unit belong to the next start
// code (trailing_zero_8bits) and are trimmed.
class AnnexBReader {
 public:
  explicit AnnexBReader(std::span<const uint8_t> data) noexcept;
  std::optional<NalUnit> next() noexcept;

 private:
  // Offset of the first byte after the next start code at or after `from`, or size().
  size_t find_start(size_t from, size_t& code_begin) const noexcept;

  std::span<const uint8_t> data_;
  size_t pos_ = 0;  // first byte of the next NAL unit, or data_.size()
};

}  // namespace webrtc::rtp
