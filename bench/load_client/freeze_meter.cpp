#include "load_client/freeze_meter.hpp"

#include <algorithm>

namespace bench::load_client {

void FreezeMeter::on_frame(TimePoint at) noexcept {
  if (last_ && at > *last_) longest_ = std::max(longest_, at - *last_);
  if (!first_) first_ = at;
  if (!last_ || at > *last_) last_ = at;
}

double FreezeMeter::max_freeze_ms(TimePoint from, TimePoint to) const noexcept {
  using Ms = std::chrono::duration<double, std::milli>;
  if (to <= from) return 0;
  if (!first_) return Ms(to - from).count();
  auto longest = longest_;
  if (*first_ > from) longest = std::max(longest, *first_ - from);
  if (to > *last_) longest = std::max(longest, to - *last_);
  return Ms(std::min(longest, to - from)).count();
}

}  // namespace bench::load_client
