#pragma once
// For tests: writes bit fields MSB first (ISO/IEC 14496-3 configs, H.264 RBSP with Exp-Golomb
// codes) to build inputs that the encoders at hand do not produce.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace media::test {

class BitWriter {
 public:
  void bits(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i)
      bit(static_cast<uint32_t>((v >> i) & 1));
  }
  void bit(uint32_t b) {
    if (count_ % 8 == 0) out_.push_back(0);
    if (b) out_.back() |= static_cast<uint8_t>(0x80 >> (count_ % 8));
    ++count_;
  }
  void ue(uint32_t v) {
    const uint64_t x = uint64_t{v} + 1;
    int len = 0;
    while ((x >> len) > 1)
      ++len;
    bits(0, len);
    bits(x, len + 1);
  }
  void se(int32_t v) {
    ue(v > 0 ? static_cast<uint32_t>(2 * v - 1) : static_cast<uint32_t>(-2 * v));
  }
  void align() {  // zero bits up to the next byte boundary
    while (count_ % 8 != 0)
      bit(0);
  }
  // What was written, the last byte padded with zero bits.
  const std::vector<uint8_t>& bytes() const noexcept { return out_; }

 private:
  std::vector<uint8_t> out_;
  size_t count_ = 0;
};

}  // namespace media::test
