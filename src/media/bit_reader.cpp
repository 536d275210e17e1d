#include "media/bit_reader.hpp"

namespace media {

uint32_t BitReader::bits(unsigned n) noexcept {
  if (failed_ || n > 32 || n > bits_left()) return fail();
  uint32_t v = 0;
  for (unsigned i = 0; i < n; ++i) {
    const uint8_t byte = data_[pos_ >> 3];
    v = (v << 1) | ((byte >> (7 - (pos_ & 7))) & 1u);
    ++pos_;
  }
  return v;
}

bool BitReader::skip(size_t n) noexcept {
  if (failed_ || n > bits_left()) {
    fail();
    return false;
  }
  pos_ += n;
  return true;
}

uint32_t BitReader::ue() noexcept {
  unsigned zeros = 0;
  while (!failed_ && bits(1) == 0) {
    if (failed_) return 0;
    if (++zeros > 31) return fail();
  }
  if (failed_) return 0;
  const uint32_t suffix = bits(zeros);
  if (failed_) return 0;
  return static_cast<uint32_t>((uint64_t{1} << zeros) - 1 + suffix);
}

int32_t BitReader::se() noexcept {
  const uint32_t k = ue();
  // k odd -> positive (k+1)/2, k even -> -(k/2); both fit in int32 for k <= 2^32-2.
  if (k & 1u) return static_cast<int32_t>((k >> 1) + 1);
  return -static_cast<int32_t>(k >> 1);
}

}  // namespace media
