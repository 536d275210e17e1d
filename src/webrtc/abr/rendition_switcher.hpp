#pragma once
// Which rung of the ladder one viewer plays, decided on every bandwidth estimate update.
// Down at once (a rung that does not fit freezes the picture within a second); up only on
// evidence that the better rung fits: the estimate holding well above it for a while, or a
// probe that measured enough. Hysteresis between the down and up thresholds and a growing
// wait before re-entering a rung just left keep it from flapping when the estimate sits
// between two rungs. Only decides: the caller switches at a keyframe and asks for an IDR.
//
// Wiring per viewer (each estimate update, about every 100 ms):
//   auto to = switcher.on_estimate(bwe.estimate_bps(), now);
//   auto probe = prober.on_estimate(std::max(bwe.estimate_bps(), switcher.evidence_bps()),
//                                   switcher.next_up_bps(), now);
//   and on a probe measurement m of cluster c:
//   if (prober.on_probe_result(c, m, now)) switcher.on_probe_succeeded(*m, now);
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace webrtc::abr {

using TimePoint = std::chrono::steady_clock::time_point;

struct Rung {
  std::string name;
  int64_t bitrate_bps = 0;  // <= 0: unknown, never chosen
};

struct SwitcherConfig {
  // The current rung is kept while bitrate <= estimate x this. The estimate is what the path
  // carries in total; audio, RTX, RTCP and keyframe bursts above the rung's mean take ~15 %.
  double down_headroom = 0.85;
  // Up on the estimate alone only to a rung with bitrate <= estimate x this. The gap to
  // down_headroom (1.43x vs 1.18x the bitrate) is the hysteresis: an estimate wandering
  // +-10 % around the middle crosses neither threshold.
  double up_headroom = 0.7;
  // ... and only after the estimate has stayed above that for this long (the estimate can
  // overshoot for a few seconds after a queue drains).
  std::chrono::milliseconds up_hold{3000};
  // A successful probe measured the link directly: up to a rung with bitrate <= measured x
  // this, after probe_up_hold (none: the measurement needs no confirmation by time).
  // 0.75, below down_headroom: a rung proven with a margin is kept when the estimate then
  // dips (in the e2e test bed 0.85 won 480p on a 1.5 Mbit/s link and lost it to its own IDR
  // burst a moment later, twice in 30 s).
  double probe_headroom = 0.75;
  // While a flap wait holds the rung above back, a probe showing the link carries this many
  // times that rung's bitrate ends the wait: the capacity came back, it is not the same
  // flapping link (without this a viewer whose link recovered waited out 30-60 s).
  double flap_clear_ratio = 2.0;
  std::chrono::milliseconds probe_up_hold{0};
  // The probe evidence stands while the estimate does not fall: once it drops below this x
  // its peak since the probe (an AIMD decrease or heavy loss: congestion) it is dropped.
  double evidence_drop = 0.9;
  // Going back up on the estimate alone to a rung left by a down switch needs this hold:
  // the estimate was just wrong about that rung.
  std::chrono::milliseconds reup_hold{20'000};
  // Up switches come no closer than this to the previous switch: the new rung's keyframe
  // and the estimate's reaction to the new rate must show first. Down is never delayed.
  std::chrono::milliseconds min_interval{2000};
  // Anti-flap: leaving a rung within flap_window of entering it by an up switch makes the
  // next return to it (by any path) wait flap_wait, starting at first_flap_wait and doubling
  // up to max_flap_wait; staying a flap_window on a rung reached by an up switch forgets it.
  // At the cap a flapping link costs one up and one down per 4 minutes. (A probe can win a
  // rung the estimate then loses on its next dip: with cross traffic filling the link the
  // estimate saw-tooths and the two cannot be told apart quickly; the wait bounds the cost.)
  std::chrono::milliseconds flap_window{60'000};
  std::chrono::milliseconds first_flap_wait{30'000};
  std::chrono::milliseconds max_flap_wait{240'000};
};

class RenditionSwitcher {
 public:
  // `ladder`: best first (index 0 = top), bitrates decreasing.
  RenditionSwitcher(std::vector<Rung> ladder, size_t start_index, SwitcherConfig config = {});

  // Every estimate update: the index to switch to, if any. 0 (unknown) never switches.
  std::optional<size_t> on_estimate(int64_t estimate_bps, TimePoint now);
  // A probe's measured rate that proved the next rung: evidence for going up.
  void on_probe_succeeded(int64_t measured_bps, TimePoint now);
  // The link was measured full at `measured_bps`: a probe sent above the next rung's need fell
  // short, or a moment with heavy loss delivered only that much. Until a probe succeeds, the
  // estimate alone takes the viewer up only to a rung such a probe would have proved. (The
  // estimate holds the link's full rate after a collapse or a probe while the link idles below
  // it: on a 1.5 Mbit/s link a viewer on 800k went up to 1 Mbit/s three seconds later and lost
  // the rung to its IDR.)
  void on_link_full(int64_t measured_bps, TimePoint now);
  // New ladder (the source's measured bitrate changed): the current rung is kept by name; if
  // it is gone, current() becomes the best rung at or below its old bitrate (the caller
  // compares current() before and after).
  void set_ladder(std::vector<Rung> ladder);
  // The best rung (index) the viewer may play, from outside its own link (viewers sharing a
  // bottleneck, see LinkShare); 0: none. A viewer above it moves down to it at once (returned
  // like on_estimate's switch); no up switch or probe goes past it.
  std::optional<size_t> set_ceiling(size_t index, TimePoint now);

  size_t current() const noexcept { return current_; }
  uint64_t switches() const noexcept { return switches_; }
  // The next rung's bitrate, for the probe controller: 0 at the top, and while the flap wait
  // holds the rung above back (as of the last on_estimate), as probing it would be wasted.
  int64_t next_up_bps() const noexcept;
  int64_t evidence_bps() const noexcept { return evidence_bps_.value_or(0); }
  const std::vector<Rung>& ladder() const noexcept { return ladder_; }

 private:
  bool keeps(size_t index, int64_t estimate_bps) const noexcept;
  bool flap_blocked() const noexcept;
  std::optional<size_t> up_target(int64_t estimate_bps, TimePoint now) noexcept;
  size_t switch_to(size_t index, TimePoint now);
  std::optional<size_t> index_of(const std::string& name) const noexcept;

  SwitcherConfig config_;
  std::vector<Rung> ladder_;
  size_t current_ = 0;
  size_t ceiling_ = 0;
  uint64_t switches_ = 0;
  std::optional<TimePoint> last_switch_at_;
  bool last_switch_up_ = false;
  // The estimate has fitted the next rung up (up_headroom) since then; its lowest since.
  std::optional<TimePoint> hold_since_;
  int64_t hold_min_bps_ = 0;
  std::optional<int64_t> evidence_bps_;
  std::optional<int64_t> measured_capacity_bps_;  // by the last probe, when it fell short
  TimePoint evidence_at_{};
  int64_t evidence_peak_estimate_ = 0;
  int64_t last_estimate_bps_ = 0;
  TimePoint last_now_{};
  std::optional<size_t> left_index_;  // the rung left by the last down switch
  TimePoint left_at_{};
  std::chrono::milliseconds flap_wait_{0};
};

}  // namespace webrtc::abr
