#include "webrtc/ice/tcp_send_queue.hpp"

#include <algorithm>
#include <cstring>

#include "webrtc/ice/tcp_frame_writer.hpp"

namespace webrtc::ice {

TcpSendQueue::TcpSendQueue(Limits limits)
    : ring_(std::max(limits.capacity, TcpFrameHeaderSize + MaxTcpFramePayload)),
      high_water_(std::min(limits.high_water, ring_.size())) {}

bool TcpSendQueue::push(std::span<const uint8_t> datagram, TimePoint now) noexcept {
  const size_t total = TcpFrameHeaderSize + datagram.size();
  if (!tcp_frameable(datagram.size()) || total > ring_.size() - size_) {
    ++dropped_packets_;
    dropped_bytes_ += datagram.size();
    return false;
  }
  std::array<uint8_t, TcpFrameHeaderSize> header{};
  write_tcp_frame_header(datagram.size(), header);
  put(header);
  put(datagram);
  update_water_mark(now);
  return true;
}

void TcpSendQueue::put(std::span<const uint8_t> bytes) noexcept {
  // The free region starts at tail and may wrap to the start of the ring.
  const size_t tail = (head_ + size_) % ring_.size();
  const size_t first = std::min(bytes.size(), ring_.size() - tail);
  std::memcpy(ring_.data() + tail, bytes.data(), first);
  if (first < bytes.size()) std::memcpy(ring_.data(), bytes.data() + first, bytes.size() - first);
  size_ += bytes.size();
}

std::span<const uint8_t> TcpSendQueue::front() const noexcept {
  return {ring_.data() + head_, std::min(size_, ring_.size() - head_)};
}

std::array<std::span<const uint8_t>, 2> TcpSendQueue::pending() const noexcept {
  const auto first = front();
  return {first, std::span<const uint8_t>(ring_.data(), size_ - first.size())};
}

void TcpSendQueue::consume(size_t n, TimePoint now) noexcept {
  n = std::min(n, size_);
  head_ = (head_ + n) % ring_.size();
  size_ -= n;
  // Restarting at 0 when empty keeps the next frames contiguous, so front() covers them all.
  if (size_ == 0) head_ = 0;
  update_water_mark(now);
}

void TcpSendQueue::update_water_mark(TimePoint now) noexcept {
  if (size_ <= high_water_) {
    above_high_water_since_.reset();
  } else if (!above_high_water_since_) {
    above_high_water_since_ = now;
  }
}

TcpSendQueue::Duration TcpSendQueue::stalled_for(TimePoint now) const noexcept {
  if (!above_high_water_since_ || now < *above_high_water_since_) return Duration::zero();
  return now - *above_high_water_since_;
}

}  // namespace webrtc::ice
