#include "webrtc/rtp/nal_unit.hpp"

namespace webrtc::rtp {

std::optional<NalUnit> AvccReader::next() noexcept {
  while (!failed_ && pos_ < data_.size()) {
    if (data_.size() - pos_ < 4) {
      failed_ = true;
      break;
    }
    const uint32_t len = uint32_t{data_[pos_]} << 24 | uint32_t{data_[pos_ + 1]} << 16 |
                         uint32_t{data_[pos_ + 2]} << 8 | data_[pos_ + 3];
    pos_ += 4;
    if (len > data_.size() - pos_) {
      failed_ = true;
      break;
    }
    NalUnit nal = data_.subspan(pos_, len);
    pos_ += len;
    if (!nal.empty()) return nal;  // a zero length is legal but carries nothing
  }
  return std::nullopt;
}

AnnexBReader::AnnexBReader(std::span<const uint8_t> data) noexcept : data_(data) {
  size_t ignored = 0;
  pos_ = find_start(0, ignored);
}

size_t AnnexBReader::find_start(size_t from, size_t& code_begin) const noexcept {
  for (size_t i = from; i + 3 <= data_.size(); ++i) {
    if (data_[i] == 0 && data_[i + 1] == 0 && data_[i + 2] == 1) {
      code_begin = i;
      return i + 3;
    }
  }
  code_begin = data_.size();
  return data_.size();
}

std::optional<NalUnit> AnnexBReader::next() noexcept {
  while (pos_ < data_.size()) {
    const size_t begin = pos_;
    size_t end = data_.size();
    pos_ = find_start(begin, end);
    while (end > begin && data_[end - 1] == 0)
      --end;  // zero_byte / trailing_zero_8bits
    if (end > begin) return data_.subspan(begin, end - begin);
  }
  return std::nullopt;
}

}  // namespace webrtc::rtp
