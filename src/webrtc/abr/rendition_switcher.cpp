#include "webrtc/abr/rendition_switcher.hpp"

#include <algorithm>

namespace webrtc::abr {

namespace {

bool fits(const Rung& rung, double bps, double headroom) {
  return rung.bitrate_bps > 0 && static_cast<double>(rung.bitrate_bps) <= bps * headroom;
}

}  // namespace

RenditionSwitcher::RenditionSwitcher(std::vector<Rung> ladder, size_t start_index,
                                     SwitcherConfig config)
    : config_(config), ladder_(std::move(ladder)) {
  current_ = ladder_.empty() ? 0 : std::min(start_index, ladder_.size() - 1);
}

bool RenditionSwitcher::flap_blocked() const noexcept {
  return current_ > 0 && left_index_ && *left_index_ == current_ - 1 &&
         last_now_ - left_at_ < flap_wait_;
}

int64_t RenditionSwitcher::next_up_bps() const noexcept {
  if (current_ <= ceiling_ || ladder_.empty()) return 0;
  const auto need = std::max<int64_t>(ladder_[current_ - 1].bitrate_bps, 0);
  if (flap_blocked())
    return static_cast<int64_t>(static_cast<double>(need) * config_.flap_clear_ratio);
  return need;
}

bool RenditionSwitcher::keeps(size_t index, int64_t estimate_bps) const noexcept {
  const auto& rung = ladder_[index];
  if (fits(rung, static_cast<double>(estimate_bps), config_.down_headroom)) return true;
  return evidence_bps_ && fits(rung, static_cast<double>(*evidence_bps_), config_.probe_headroom);
}

std::optional<size_t> RenditionSwitcher::on_estimate(int64_t estimate_bps, TimePoint now) {
  last_now_ = std::max(last_now_, now);
  if (ladder_.empty() || estimate_bps <= 0) return std::nullopt;
  last_estimate_bps_ = estimate_bps;
  if (evidence_bps_) {
    evidence_peak_estimate_ = std::max(evidence_peak_estimate_, estimate_bps);
    if (static_cast<double>(estimate_bps) <
        config_.evidence_drop * static_cast<double>(evidence_peak_estimate_)) {
      evidence_bps_.reset();
    }
  }
  // An estimate that alone would take the rung with twice its need ends a flap wait as a
  // probe showing that does (no probe is asked for then: the rung fits the estimate).
  if (flap_blocked() &&
      static_cast<double>(estimate_bps) * config_.up_headroom >=
          config_.flap_clear_ratio * static_cast<double>(ladder_[current_ - 1].bitrate_bps)) {
    flap_wait_ = std::chrono::milliseconds{0};
  }
  // An up switch that has stuck for a flap window ends the flapping; waiting below does not.
  if (last_switch_up_ && last_switch_at_ && now - *last_switch_at_ >= config_.flap_window) {
    flap_wait_ = std::chrono::milliseconds{0};
  }

  if (!keeps(current_, estimate_bps)) {
    // Straight to the best rung that fits, skipping several if need be; the lowest if none.
    size_t target = ladder_.size() - 1;
    for (size_t i = current_ + 1; i < ladder_.size(); ++i) {
      if (keeps(i, estimate_bps)) {
        target = i;
        break;
      }
    }
    hold_since_.reset();
    if (target == current_) return std::nullopt;
    return switch_to(target, now);
  }
  auto up = up_target(estimate_bps, now);
  if (!up) return std::nullopt;
  return switch_to(*up, now);
}

std::optional<size_t> RenditionSwitcher::set_ceiling(size_t index, TimePoint now) {
  ceiling_ = ladder_.empty() ? 0 : std::min(index, ladder_.size() - 1);
  if (current_ >= ceiling_) return std::nullopt;
  return switch_to(ceiling_, now);
}

std::optional<size_t> RenditionSwitcher::up_target(int64_t estimate_bps, TimePoint now) noexcept {
  if (current_ <= ceiling_) {
    hold_since_.reset();
    return std::nullopt;
  }
  auto estimate = static_cast<double>(estimate_bps);
  if (fits(ladder_[current_ - 1], estimate, config_.up_headroom)) {
    if (!hold_since_) {
      hold_since_ = now;
      hold_min_bps_ = estimate_bps;
    }
    hold_min_bps_ = std::min(hold_min_bps_, estimate_bps);
  } else {
    hold_since_.reset();
  }

  // Re-entering the rung left by the last down switch (or a better one) asks for more: the
  // flap wait since the down, and fresh evidence (a probe sent after it, or a long hold).
  auto blocked = [&](size_t i, bool by_probe) {
    if (!left_index_ || i > *left_index_) return false;
    if (now - left_at_ < flap_wait_) return true;
    if (by_probe) return evidence_at_ < left_at_;
    // An estimate with twice the rung's need is a link that changed, not a wrong estimate.
    if (estimate * config_.up_headroom >=
        config_.flap_clear_ratio * static_cast<double>(ladder_[i].bitrate_bps)) {
      return false;
    }
    return now - *hold_since_ < config_.reup_hold;
  };
  std::optional<size_t> best;
  auto consider = [&](double bps, double headroom, bool by_probe) {
    for (size_t i = ceiling_; i < current_; ++i) {
      if (!fits(ladder_[i], bps, headroom) || blocked(i, by_probe)) continue;
      if (!best || i < *best) best = i;
      break;
    }
  };
  if (hold_since_ && now - *hold_since_ >= config_.up_hold) {
    auto held = static_cast<double>(hold_min_bps_) * config_.up_headroom;
    if (measured_capacity_bps_) {
      held = std::min(held, static_cast<double>(*measured_capacity_bps_) * config_.probe_headroom);
    }
    consider(held, 1.0, false);
  }
  if (evidence_bps_ && now - evidence_at_ >= config_.probe_up_hold) {
    consider(static_cast<double>(*evidence_bps_), config_.probe_headroom, true);
  }
  if (!best) return std::nullopt;
  if (last_switch_at_ && now - *last_switch_at_ < config_.min_interval) return std::nullopt;
  return best;
}

size_t RenditionSwitcher::switch_to(size_t index, TimePoint now) {
  bool up = index < current_;
  if (up) {
    if (left_index_ && index <= *left_index_) left_index_.reset();
  } else {
    bool flapped =
        last_switch_up_ && last_switch_at_ && now - *last_switch_at_ < config_.flap_window;
    if (flapped) {
      flap_wait_ = flap_wait_.count() == 0 ? config_.first_flap_wait
                                           : std::min(flap_wait_ * 2, config_.max_flap_wait);
    }
    left_index_ = current_;
    left_at_ = now;
  }
  current_ = index;
  ++switches_;
  last_switch_at_ = now;
  last_switch_up_ = up;
  hold_since_.reset();
  return index;
}

void RenditionSwitcher::on_probe_succeeded(int64_t measured_bps, TimePoint now) {
  if (measured_bps <= 0) return;
  last_now_ = std::max(last_now_, now);
  if (flap_blocked() &&
      static_cast<double>(measured_bps) * config_.probe_headroom >=
          config_.flap_clear_ratio * static_cast<double>(ladder_[current_ - 1].bitrate_bps)) {
    flap_wait_ = std::chrono::milliseconds{0};
  }
  evidence_bps_ = measured_bps;
  evidence_at_ = now;
  evidence_peak_estimate_ = last_estimate_bps_;
  measured_capacity_bps_.reset();
}

void RenditionSwitcher::on_link_full(int64_t measured_bps, TimePoint now) {
  last_now_ = std::max(last_now_, now);
  if (measured_bps > 0) measured_capacity_bps_ = measured_bps;
}

std::optional<size_t> RenditionSwitcher::index_of(const std::string& name) const noexcept {
  for (size_t i = 0; i < ladder_.size(); ++i) {
    if (ladder_[i].name == name) return i;
  }
  return std::nullopt;
}

void RenditionSwitcher::set_ladder(std::vector<Rung> ladder) {
  std::optional<Rung> playing;
  if (!ladder_.empty()) playing = ladder_[current_];
  std::optional<std::string> left;
  if (left_index_ && *left_index_ < ladder_.size()) left = ladder_[*left_index_].name;
  ladder_ = std::move(ladder);
  hold_since_.reset();
  left_index_.reset();
  if (ladder_.empty() || !playing) {
    current_ = 0;
    return;
  }
  if (left) left_index_ = index_of(*left);
  if (auto same = index_of(playing->name)) {
    current_ = *same;
    return;
  }
  current_ = ladder_.size() - 1;
  for (size_t i = 0; i < ladder_.size(); ++i) {
    if (ladder_[i].bitrate_bps > 0 && ladder_[i].bitrate_bps <= playing->bitrate_bps) {
      current_ = i;
      break;
    }
  }
}

}  // namespace webrtc::abr
