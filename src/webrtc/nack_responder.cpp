#include "webrtc/nack_responder.hpp"

#include <algorithm>

namespace webrtc {

NackResponder::NackResponder(NackResponderConfig config)
    : config_(config), budget_(std::min(config.initial_budget_bytes, config.max_budget_bytes)) {}

void NackResponder::credit(uint64_t total_sent) noexcept {
  if (total_sent <= credited_) return;
  const auto earned =
      static_cast<uint64_t>(static_cast<double>(total_sent - credited_) * config_.budget_share);
  if (earned == 0) return;  // keep the remainder for the next credit
  credited_ = total_sent;
  budget_ = std::min(budget_ + earned, config_.max_budget_bytes);
}

bool NackResponder::admit(uint16_t seq, size_t bytes, TimePoint now,
                          std::optional<std::chrono::microseconds> rtt) noexcept {
  if (sends_this_nack_ >= config_.max_sends_per_nack) {
    ++stats_.over_nack_limit;
    return false;
  }
  auto& slot = recent_[seq % RecentSlots];
  if (slot.used && slot.seq == seq) {
    auto interval =
        std::chrono::duration_cast<std::chrono::microseconds>(config_.min_resend_interval);
    if (rtt) interval = std::max(interval, *rtt);
    interval = std::min<std::chrono::microseconds>(interval, config_.max_resend_interval);
    if (now - slot.at < interval) {
      ++stats_.too_soon;
      return false;
    }
  }
  if (budget_ < bytes) {
    ++stats_.over_budget;
    return false;
  }
  budget_ -= bytes;
  ++sends_this_nack_;
  slot = {seq, true, now};
  return true;
}

bool NackResponder::admit_copy(uint16_t seq, size_t bytes, TimePoint now) noexcept {
  if (budget_ < bytes) {
    ++stats_.over_budget;
    return false;
  }
  budget_ -= bytes;
  recent_[seq % RecentSlots] = {seq, true, now};
  return true;
}

}  // namespace webrtc
