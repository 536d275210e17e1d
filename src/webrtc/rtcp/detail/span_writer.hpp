#pragma once
// Big-endian writer into caller memory for the RTCP write_to() functions. The caller checks
// the total size first, so each put is unchecked beyond a debug-friendly bound.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace webrtc::rtcp::detail {

class SpanWriter {
 public:
  explicit SpanWriter(std::span<uint8_t> out) noexcept : out_(out) {}

  void u8(uint8_t v) noexcept { put(v, 1); }
  void u16(uint16_t v) noexcept { put(v, 2); }
  void u24(uint32_t v) noexcept { put(v, 3); }
  void u32(uint32_t v) noexcept { put(v, 4); }
  void u64(uint64_t v) noexcept { put(v, 8); }
  void bytes(std::span<const uint8_t> b) noexcept {
    if (b.size() > out_.size() - pos_) return;
    if (!b.empty()) std::memcpy(out_.data() + pos_, b.data(), b.size());
    pos_ += b.size();
  }
  void string(std::string_view s) noexcept {
    bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  }
  void zeros(size_t n) noexcept {
    for (size_t i = 0; i < n && pos_ < out_.size(); ++i)
      out_[pos_++] = 0;
  }
  size_t position() const noexcept { return pos_; }

 private:
  void put(uint64_t v, size_t n) noexcept {
    if (n > out_.size() - pos_) return;
    for (size_t i = 0; i < n; ++i)
      out_[pos_ + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
    pos_ += n;
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
};

}  // namespace webrtc::rtcp::detail
