#include "webrtc/abr/link_share.hpp"

#include <algorithm>
#include <cmath>

namespace webrtc::abr {

LinkShare::MemberId LinkShare::join(size_t rung) {
  std::lock_guard lock(mutex_);
  members_.push_back({next_id_, rung, std::nullopt, std::nullopt});
  return next_id_++;
}

void LinkShare::leave(MemberId id) {
  std::lock_guard lock(mutex_);
  std::erase_if(members_, [id](const Member& m) { return m.id == id; });
}

size_t LinkShare::members() const {
  std::lock_guard lock(mutex_);
  return members_.size();
}

std::optional<size_t> LinkShare::median_rung() const {
  std::lock_guard lock(mutex_);
  if (members_.empty()) return std::nullopt;
  std::vector<size_t> rungs;
  rungs.reserve(members_.size());
  for (const auto& m : members_)
    rungs.push_back(m.rung);
  const auto middle = rungs.begin() + static_cast<std::ptrdiff_t>(rungs.size() / 2);
  std::nth_element(rungs.begin(), middle, rungs.end());
  return *middle;
}

size_t LinkShare::congested_count(TimePoint now) const {
  size_t n = 0;
  for (const auto& m : members_) {
    if (m.congested_at && now - *m.congested_at < config_.congested_for) ++n;
  }
  return n;
}

LinkShare::StepDown LinkShare::may_step_down(MemberId id, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it =
      std::find_if(members_.begin(), members_.end(), [id](const Member& m) { return m.id == id; });
  if (it == members_.end()) return StepDown::Free;
  const bool shared = shared_congestion_at_ && now - *shared_congestion_at_ < config_.congested_for;
  if (now - step_window_start_ >= config_.step_window) {
    step_window_start_ = now;
    steps_in_window_ = 0;
  }
  const auto quota = std::max<size_t>(
      1, static_cast<size_t>(config_.step_share * static_cast<double>(congested_count(now))));
  const bool waited = it->refused_since && now - *it->refused_since >= config_.refused_max;
  if (shared && !waited && steps_in_window_ >= quota) {
    if (!it->refused_since) it->refused_since = now;
    return StepDown::Hold;
  }
  ++steps_in_window_;
  it->refused_since.reset();
  return !shared && members_.size() < 2 ? StepDown::Free : StepDown::OneRung;
}

bool LinkShare::take_probe_turn(TimePoint now) {
  std::lock_guard lock(mutex_);
  if (last_probe_at_ && now - *last_probe_at_ < config_.probe_spacing) return false;
  last_probe_at_ = now;
  return true;
}

size_t LinkShare::report(MemberId id, size_t rung, bool congested, TimePoint now) {
  std::lock_guard lock(mutex_);
  size_t worst = 0;
  size_t best = rung;
  for (auto& m : members_) {
    if (m.id == id) {
      m.rung = rung;
      if (congested) m.congested_at = now;
      // A member no longer asking to step down (it went, or its link recovered) starts over.
      if (!congested) m.refused_since.reset();
    }
    worst = std::max(worst, m.rung);
    best = std::min(best, m.rung);
  }
  const size_t congested_now = congested_count(now);
  const auto needed = std::max(
      config_.min_congested, static_cast<size_t>(std::ceil(config_.congested_share *
                                                           static_cast<double>(members_.size()))));
  if (members_.size() >= 2 && congested_now >= needed) shared_congestion_at_ = now;
  if (!shared_congestion_at_) return 0;
  const auto since = now - *shared_congestion_at_;
  if (since >= config_.spread_hold || (since >= config_.hold && best == worst)) return 0;
  return worst > 0 ? worst - 1 : 0;
}

std::shared_ptr<LinkShare> LinkShares::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  // Forget the groups nobody holds any more (a lookup per viewer join: cheap enough).
  std::erase_if(shares_, [](const auto& entry) { return entry.second.expired(); });
  auto& slot = shares_[key];
  auto share = slot.lock();
  if (!share) {
    share = std::make_shared<LinkShare>();
    slot = share;
  }
  return share;
}

}  // namespace webrtc::abr
