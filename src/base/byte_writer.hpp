#pragma once
// Big-endian appender onto a caller-owned vector (control-plane messages and tests). Hot paths
// write into caller memory with their own size()/write_to() pairs instead.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace base {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) noexcept : out_(out) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { be(v, 2); }
  void u24(uint32_t v) { be(v, 3); }
  void u32(uint32_t v) { be(v, 4); }
  void u64(uint64_t v) { be(v, 8); }
  void u32le(uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void string(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  size_t size() const noexcept { return out_.size(); }

 private:
  void be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i)
      out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

}  // namespace base
