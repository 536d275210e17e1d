#include "webrtc/ice/tcp_frame_reader.hpp"

#include <algorithm>
#include <cstring>

namespace webrtc::ice {

TcpFrameReader::TcpFrameReader(Limits limits)
    : max_frame_size_(std::clamp<size_t>(limits.max_frame_size, 1, 65535)),
      buffer_(std::max(limits.buffer_size, max_frame_size_ + HeaderSize)) {}

void TcpFrameReader::compact() noexcept {
  if (begin_ == 0) return;
  // Only a partial frame is left once next() is drained (< HeaderSize + max_frame_size bytes),
  // so this moves at most a few KiB per socket read.
  if (end_ > begin_) std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

std::span<uint8_t> TcpFrameReader::writable_span() noexcept {
  if (failed()) return {};
  compact();
  return std::span<uint8_t>(buffer_).subspan(end_);
}

void TcpFrameReader::commit(size_t n) noexcept {
  if (failed()) return;
  end_ += std::min(n, buffer_.size() - end_);
}

size_t TcpFrameReader::append(std::span<const uint8_t> bytes) noexcept {
  const auto room = writable_span();
  const size_t n = std::min(room.size(), bytes.size());
  if (n > 0) std::memcpy(room.data(), bytes.data(), n);
  commit(n);
  return n;
}

std::optional<std::span<uint8_t>> TcpFrameReader::next() noexcept {
  if (failed() || end_ - begin_ < HeaderSize) return std::nullopt;
  // RFC 4571 2: LENGTH is a 16-bit unsigned integer in network byte order.
  const size_t length = (size_t{buffer_[begin_]} << 8) | buffer_[begin_ + 1];
  // A zero-length frame carries no STUN, DTLS or RTP packet: only garbage (or a peer trying to
  // keep us spinning) produces one. Checked before the body arrives, so an oversize length fails
  // at once instead of after the peer has made us wait for 64 KiB.
  if (length == 0 || length > max_frame_size_) {
    failure_ = length == 0 ? Failure::ZeroLength : Failure::Oversize;
    bad_length_ = length;
    return std::nullopt;
  }
  if (end_ - begin_ < HeaderSize + length) return std::nullopt;
  const std::span<uint8_t> frame(buffer_.data() + begin_ + HeaderSize, length);
  begin_ += HeaderSize + length;
  ++frames_;
  return frame;
}

std::string TcpFrameReader::error() const {
  switch (failure_) {
    case Failure::None:
      return {};
    case Failure::ZeroLength:
      return "zero-length TCP frame";
    case Failure::Oversize:
      return "TCP frame of " + std::to_string(bad_length_) + " bytes over the " +
             std::to_string(max_frame_size_) + "-byte bound";
  }
  return {};
}

}  // namespace webrtc::ice
