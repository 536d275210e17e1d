#include "webrtc/bwe/recent_delivery.hpp"

#include <algorithm>

namespace webrtc::bwe {

void RecentDelivery::on_sent(int64_t sequence, size_t bytes) noexcept {
  if (sequence < 0) return;
  sent_[static_cast<size_t>(sequence) % RingSize] = {
      sequence, static_cast<uint16_t>(std::min<size_t>(bytes, UINT16_MAX))};
}

void RecentDelivery::on_feedback(std::span<const PacketResult> results) noexcept {
  for (const auto& r : results) {
    if (!r.received()) {
      ++lost_;
      continue;
    }
    const auto& s = r.sequence >= 0 ? sent_[static_cast<size_t>(r.sequence) % RingSize] : Sent{};
    if (s.sequence != r.sequence) continue;  // not ours any more: too old to matter
    ++received_;
    bytes_ += s.bytes;
    if (!first_ || *r.receive_time < *first_) first_ = r.receive_time;
    newest_ = std::max(newest_, *r.receive_time);
  }
  if (!first_ || newest_ - *first_ < Window) return;
  const auto span_us = (newest_ - *first_).count();
  const size_t total = received_ + lost_;
  last_ = Delivery{static_cast<int64_t>(bytes_ * 8'000'000 / static_cast<uint64_t>(span_us)),
                   total ? static_cast<double>(lost_) / static_cast<double>(total) : 0.0, total};
  first_.reset();
  bytes_ = 0;
  received_ = 0;
  lost_ = 0;
}

}  // namespace webrtc::bwe
