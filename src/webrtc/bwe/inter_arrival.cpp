#include "webrtc/bwe/inter_arrival.hpp"

namespace webrtc::bwe {

namespace {

double to_ms(std::chrono::microseconds d) {
  return static_cast<double>(d.count()) / 1000.0;
}

}  // namespace

bool InterArrival::belongs_to_current(TimePoint send_time, RemoteTime arrival) const noexcept {
  if (send_time - current_->first_send <= kBurstTime) return true;
  // 5.2: a packet arriving within the burst time of the group and with a negative delay
  // variation was held up behind it (a path stall released a burst): same group.
  auto arrival_delta = arrival - current_->last_arrival;
  auto send_delta =
      std::chrono::duration_cast<std::chrono::microseconds>(send_time - current_->last_send);
  return arrival_delta < kBurstTime && arrival_delta - send_delta < std::chrono::microseconds{0};
}

std::optional<GroupDelta> InterArrival::add(TimePoint send_time, RemoteTime arrival) noexcept {
  if (!current_) {
    current_ = Group{send_time, send_time, arrival, arrival};
    return std::nullopt;
  }
  if (send_time < current_->first_send) {
    ++ignored_;
    return std::nullopt;
  }
  auto gap = arrival - current_->last_arrival;
  if (gap > kMaxArrivalGap || gap < -kMaxArrivalGap) {
    ++resets_;
    previous_.reset();
    current_ = Group{send_time, send_time, arrival, arrival};
    return std::nullopt;
  }
  if (belongs_to_current(send_time, arrival)) {
    if (send_time > current_->last_send) current_->last_send = send_time;
    if (arrival > current_->last_arrival) current_->last_arrival = arrival;
    return std::nullopt;
  }
  std::optional<GroupDelta> delta;
  if (previous_) {
    auto send_delta = std::chrono::duration_cast<std::chrono::microseconds>(current_->last_send -
                                                                            previous_->last_send);
    delta = GroupDelta{to_ms(send_delta), to_ms(current_->last_arrival - previous_->last_arrival),
                       to_ms(current_->last_arrival)};
  }
  previous_ = current_;
  current_ = Group{send_time, send_time, arrival, arrival};
  return delta;
}

}  // namespace webrtc::bwe
