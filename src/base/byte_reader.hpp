#pragma once
// Bounds-checked big-endian reader over caller-owned bytes. Every read reports failure instead
// of touching memory past the end, so parsers can treat truncated input as an ordinary error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace base {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) noexcept : data_(data) {}

  size_t remaining() const noexcept { return data_.size() - pos_; }
  size_t position() const noexcept { return pos_; }
  bool empty() const noexcept { return remaining() == 0; }
  std::span<const uint8_t> rest() const noexcept { return data_.subspan(pos_); }

  bool skip(size_t n) noexcept {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  std::optional<uint8_t> u8() noexcept { return be<uint8_t>(1); }
  std::optional<uint16_t> u16() noexcept { return be<uint16_t>(2); }
  std::optional<uint32_t> u24() noexcept { return be<uint32_t>(3); }
  std::optional<uint32_t> u32() noexcept { return be<uint32_t>(4); }
  std::optional<uint64_t> u64() noexcept { return be<uint64_t>(8); }
  std::optional<uint32_t> u32le() noexcept {
    if (remaining() < 4) return std::nullopt;
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i)
      v |= uint32_t{data_[pos_ + i]} << (8 * i);
    pos_ += 4;
    return v;
  }
  std::optional<std::span<const uint8_t>> bytes(size_t n) noexcept {
    if (n > remaining()) return std::nullopt;
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::optional<std::string_view> string(size_t n) noexcept {
    auto b = bytes(n);
    if (!b) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(b->data()), b->size());
  }

 private:
  template <typename T>
  std::optional<T> be(size_t n) noexcept {
    if (n > remaining()) return std::nullopt;
    T v = 0;
    for (size_t i = 0; i < n; ++i)
      v = static_cast<T>((v << 8) | data_[pos_ + i]);
    pos_ += n;
    return v;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace base
