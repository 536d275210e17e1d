#include "webrtc/bwe/acknowledged_bitrate.hpp"

#include <algorithm>

namespace webrtc::bwe {

AcknowledgedBitrate::AcknowledgedBitrate(size_t capacity) : ring_(std::max<size_t>(capacity, 2)) {}

void AcknowledgedBitrate::add(RemoteTime receive_time, size_t bytes) noexcept {
  if (!first_) {
    first_ = receive_time;
    latest_ = receive_time;
  }
  // Reordered feedback may report an earlier arrival: it still counts, the window ends at
  // the latest arrival seen.
  latest_ = std::max(latest_, receive_time);
  if (count_ == ring_.size()) {
    bytes_ -= ring_[head_].bytes;
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
  ring_[(head_ + count_) % ring_.size()] = Sample{receive_time, bytes};
  ++count_;
  bytes_ += bytes;
  drop_old();
}

void AcknowledgedBitrate::drop_old() noexcept {
  while (count_ > 0 && ring_[head_].at < latest_ - kWindow) {
    bytes_ -= ring_[head_].bytes;
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
}

std::optional<int64_t> AcknowledgedBitrate::bitrate_bps() const noexcept {
  if (!first_ || latest_ - *first_ < kWindow / 2 || count_ == 0) return std::nullopt;
  auto span = std::min(kWindow, latest_ - *first_);
  // If the ring overflowed, the span is what the ring still holds.
  span = std::min(span, latest_ - ring_[head_].at + std::chrono::microseconds{1000});
  if (span.count() <= 0) return std::nullopt;
  return static_cast<int64_t>(static_cast<double>(bytes_) * 8.0 * 1e6 /
                              static_cast<double>(span.count()));
}

}  // namespace webrtc::bwe
