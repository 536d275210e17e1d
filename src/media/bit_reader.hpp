#pragma once
// MSB-first bit reader with Exp-Golomb codes (H.264 9.1) over caller-owned bytes. Errors are
// sticky: a read past the end or an over-long code sets failed() and returns 0, so a parser can
// read a run of fields and check once, and loops driven by read values stay bounded.
#include <cstddef>
#include <cstdint>
#include <span>

namespace media {

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data) noexcept : data_(data) {}

  // n in [0, 32]; larger n fails.
  uint32_t bits(unsigned n) noexcept;
  bool flag() noexcept { return bits(1) != 0; }
  bool skip(size_t n) noexcept;
  // ue(v): unsigned Exp-Golomb; more than 31 leading zero bits fails (H.264 9.1).
  uint32_t ue() noexcept;
  // se(v): signed Exp-Golomb (H.264 9.1.1).
  int32_t se() noexcept;

  size_t bits_left() const noexcept { return failed_ ? 0 : data_.size() * 8 - pos_; }
  size_t position() const noexcept { return pos_; }
  bool failed() const noexcept { return failed_; }

 private:
  uint32_t fail() noexcept {
    failed_ = true;
    return 0;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;  // in bits
  bool failed_ = false;
};

}  // namespace media
