#include "app/adaptive_video.hpp"

#include "app/webrtc_feed.hpp"

namespace app {
namespace {

std::vector<webrtc::abr::Rung> rungs(const std::vector<LadderRung>& ladder) {
  std::vector<webrtc::abr::Rung> out;
  out.reserve(ladder.size());
  for (const auto& r : ladder)
    out.push_back({r.choice.key(), r.bitrate_bps});
  return out;
}

// Tuned in the e2e test bed (Chromium behind a tbf cap: 20 -> 1.5 -> 20 Mbit/s). Up switches
// backed by a probe come 1.5 s apart (source from 240p in three steps within the 10 s target);
// failed probes back off to 3 s at most, so that a link that recovers after a long narrow
// phase is found within 3 s (at 30 s a viewer waited 12 s for its first step up; at 6 s the
// climb after the wait made the return 10-15 s in half the runs). A failed probe costs little:
// 200 ms at 1.8 x the next rung queues ~40 ms on a link that cannot carry it.
// A probe proves a rung when the link carried 1 / 0.62 times its bitrate: at 0.75 a 1.5 Mbit/s
// link "proved" 480p (1 Mbit/s) and lost it to the rung's own IDR burst within a second, and at
// 0.65 (1.54 x) a probe of the same link now and then still measured enough (1.5 Mbit/s is 1.5 x
// 480p: measurement noise of 3 % decides). With flaps that rare the first flap wait can be short.
constexpr double kProbeHeadroom = 0.62;
constexpr auto kProbeHoldAfterDown = std::chrono::milliseconds(3000);
constexpr auto kProbeHoldAfterUp = std::chrono::milliseconds(1000);
// A rung's GOP is transcodeGOP (1 s by default): an up switch usually finds its keyframe within
// it; past that (a longer GOP, a source whose keyframe is late) the IDR is asked for.
constexpr auto kUpKeyframeWait = std::chrono::milliseconds(1100);

webrtc::abr::SwitcherConfig switcher_config() {
  webrtc::abr::SwitcherConfig c;
  c.min_interval = std::chrono::milliseconds(1500);
  c.probe_headroom = kProbeHeadroom;
  c.first_flap_wait = std::chrono::milliseconds(10'000);
  return c;
}

webrtc::abr::ProbeController::Config probe_config() {
  webrtc::abr::ProbeController::Config c;
  c.success_headroom = kProbeHeadroom;
  // A little above what success needs (1 / 0.62 = 1.61 x the rung): a probe that comes through
  // at 90 % of its rate proves the rung.
  c.target_ratio = 1.8;
  // Below the switcher's up_headroom (0.7): a rung that fits the estimate only that well is
  // probed anyway, since the switcher would wait its re-up hold (20 s) for a rung it left.
  c.fits_without_probe = 0.6;
  c.max_backoff = std::chrono::milliseconds(3000);
  // A flap wait asks for a probe of twice the rung (see SwitcherConfig::flap_clear_ratio):
  // from 240p on an estimate that sits near 1.5 x what 240p sends, 3 x could not reach it and
  // the viewer waited out the whole flap wait after its link came back.
  c.cap_ratio = 4.0;
  return c;
}

// A fifth of the last moment lost: the link is full, and what still arrives is its capacity.
constexpr double kHeavyLoss = 0.2;

// A tenth of the last moment lost, or of the whole window: the link is congested.
constexpr double kCongestedLoss = 0.1;
bool congested_by_loss(const webrtc::SendSideBandwidthStats& b) {
  return b.loss_fraction >= kCongestedLoss || (b.recent && b.recent->loss >= kCongestedLoss);
}

// A delay-based cut to no less than this share of the rung keeps it when little is lost.
constexpr double kDeepCut = 0.6;

// What the viewer's link is known to carry: the estimate, or what it really delivered in the
// last half second when that is more and little was lost. The delay-based estimate cuts to
// 0.85 x the delivered rate on any queueing, our own keyframe bursts included (no pacer yet);
// a 7 Mbit/s source on a 20 Mbit/s link was dropped to 720p for 3-4 s in half the test bed's
// runs. A link that really narrows delivers less within the same half second, with loss.
// The delivered rate already carries the overhead the switcher's headroom stands for (audio,
// RTX, headers), so a rung counts as carried when it was delivered whole: acked / headroom.
int64_t carried_bps(const webrtc::SendSideBandwidthStats& b, double headroom, int64_t playing_bps) {
  constexpr double kLowLoss = 0.05;
  // Without loss the link delivers what the current rung sends: a delay-based cut alone (the
  // estimate falls to 0.85 x what arrived, which swings +-20 % around the rung's bitrate with
  // the encoder) keeps the rung unless it is deep. Only a link narrower than the rung keeps
  // its estimate that far down (what arrives is then the narrower rate); one queue of viewers
  // sharing a link made 480p viewers at 1 Mbit/s step down on estimates of 0.65-1.1 Mbit/s
  // while the link carried only half its capacity.
  // A link losing a fifth of what it is sent is full: what still arrives is its capacity, now
  // (the estimate takes most of a second to get there; it stepped a 1080p viewer down through
  // 720p on a 1.5 Mbit/s link).
  // Only part of it: the bottleneck's queue is full and has to drain too, and a rung that fits
  // with room has the smaller IDR (at the whole rate the test bed's viewer went 1080p -> 480p
  // -> 240p, freezing at both steps).
  constexpr double kDrainShare = 0.7;
  if (b.recent && b.recent->loss >= kHeavyLoss && b.recent->bps > 0) {
    return std::min(b.estimate_bps,
                    static_cast<int64_t>(static_cast<double>(b.recent->bps) * kDrainShare));
  }
  const bool recent_low = !b.recent || b.recent->loss < kLowLoss;
  if (!b.acked_bps || b.loss_fraction >= kLowLoss || !recent_low) return b.estimate_bps;
  auto carried =
      std::max(b.estimate_bps, static_cast<int64_t>(static_cast<double>(*b.acked_bps) / headroom));
  const auto playing = static_cast<double>(playing_bps);
  if (static_cast<double>(b.estimate_bps) >= kDeepCut * playing)
    carried = std::max(carried, static_cast<int64_t>(playing / headroom * 1.01));
  return carried;
}

}  // namespace

AdaptiveVideo::AdaptiveVideo(std::vector<LadderRung> ladder, size_t start,
                             std::shared_ptr<webrtc::abr::LinkShare> share)
    : ladder_(std::move(ladder)),
      switcher_(rungs(ladder_), std::min(start, ladder_.size() - 1), switcher_config()),
      probes_(probe_config()),
      current_(std::min(start, ladder_.size() - 1)),
      share_(std::move(share)) {
  if (share_) member_ = share_->join(current_);
}

AdaptiveVideo::~AdaptiveVideo() {
  if (share_) share_->leave(member_);
}

AdaptiveVideo::Decision AdaptiveVideo::on_estimate(const webrtc::SendSideBandwidthStats& bandwidth,
                                                   TimePoint now) {
  const auto headroom = switcher_config().down_headroom;
  const size_t playing = pending_.value_or(current_);
  const auto playing_bps = ladder_[playing].bitrate_bps;
  int64_t estimate_bps = carried_bps(bandwidth, headroom, playing_bps);
  std::optional<size_t> ceiling;
  if (share_) {
    const bool wants_down =
        static_cast<double>(playing_bps) > static_cast<double>(estimate_bps) * headroom;
    // Congested: this estimate takes the viewer down, or a tenth of the last moment was lost.
    const bool congested =
        wants_down || (bandwidth.recent && bandwidth.recent->loss >= kCongestedLoss);
    ceiling = share_->report(member_, playing, congested, now);
    // Half of everything lost: the link is collapsing, no waiting for a turn.
    constexpr double kCollapseLoss = 0.5;
    const bool collapsing = bandwidth.loss_fraction >= kCollapseLoss ||
                            (bandwidth.recent && bandwidth.recent->loss >= kCollapseLoss);
    using StepDown = webrtc::abr::LinkShare::StepDown;
    auto step = wants_down && !collapsing ? share_->may_step_down(member_, now) : StepDown::Free;
    // At or below the middle of its classmates, a member leaves its rung only on real loss or a
    // deep cut: the ones above the middle make room first. (A class on 360p at 800k behind
    // 20 Mbit/s lost 5-7 % whenever keyframes met in the queue, and each member that stepped
    // to 240p on that spent 20 s there: a third of its share.)
    if (step == StepDown::OneRung && !congested_by_loss(bandwidth) &&
        static_cast<double>(estimate_bps) >= kDeepCut * static_cast<double>(playing_bps)) {
      const auto middle = share_->median_rung();
      if (middle && playing >= *middle) step = StepDown::Hold;
    }
    // Not its turn: it keeps its rung this time (as if the estimate still fitted it). Its
    // turn under shared congestion: no further than the next rung.
    const int64_t keep_bps = step == StepDown::Hold ? playing_bps
                             : step == StepDown::OneRung && playing + 1 < ladder_.size()
                                 ? ladder_[playing + 1].bitrate_bps
                                 : 0;
    if (keep_bps > 0) {
      estimate_bps = std::max(
          estimate_bps, static_cast<int64_t>(static_cast<double>(keep_bps) / headroom * 1.01));
    }
  }
  // Alone on its link, a moment with heavy loss delivered what the link carries; in a group it
  // measured only the room the others left, which the group's own rules share out.
  if (!shares_link() && bandwidth.recent && bandwidth.recent->loss >= kHeavyLoss &&
      bandwidth.recent->bps > 0) {
    switcher_.on_link_full(bandwidth.recent->bps, now);
  }
  Decision d;
  // The switcher holds where the viewer should be; this side, what it plays and what it is
  // moving to. Any difference (a new decision, or one taken back while its keyframe was still
  // on the way) is a switch to carry out.
  switcher_.on_estimate(estimate_bps, now);
  if (ceiling) switcher_.set_ceiling(*ceiling, now);
  const size_t wanted = switcher_.current();
  if (wanted != playing) {
    d.switch_to = wanted;
    // After a switch down the link is congested and its queue drains; after one up, the new
    // rung's IDR is on its way and the sender has few packets of it to copy. A probe then
    // measures neither.
    probe_after_ = now + (wanted > current_ ? kProbeHoldAfterDown : kProbeHoldAfterUp);
  } else if (!pending_ && now >= probe_after_) {
    // Probing only while settled on a rung: a switch changes what is sent anyway.
    if (const auto up = switcher_.next_up_bps(); up > 0)
      d.probe = probes_.on_estimate(estimate_bps, up, now);
    if (d.probe && shares_link() && !share_->take_probe_turn(now)) {
      probes_.withdraw();  // another viewer of this link probes now
      d.probe.reset();
    }
  }
  return d;
}

void AdaptiveVideo::on_probe_result(const webrtc::ProbeResult& result, TimePoint now) {
  const auto failures = probes_.failures();
  if (probes_.on_probe_result(result.cluster, result.bps, now)) {
    switcher_.on_probe_succeeded(result.bps, now);
  } else if (probes_.failures() > failures && !shares_link()) {
    // Alone on its link a probe that fell short measured the link (see measure_full_link).
    switcher_.on_link_full(result.bps, now);
  }
}

void AdaptiveVideo::switch_pending(size_t rung, TimePoint now) {
  pending_ = rung;
  pending_since_ = now;
  keyframe_asked_ = false;
}

bool AdaptiveVideo::wants_keyframe(TimePoint now) {
  if (!pending_ || keyframe_asked_) return false;
  if (*pending_ < current_ && now - pending_since_ < kUpKeyframeWait) return false;
  keyframe_asked_ = true;
  return true;
}

size_t AdaptiveVideo::switch_done() {
  const size_t to = pending_.value_or(current_);
  pending_.reset();
  if (to > current_) ++switches_down_;
  if (to < current_) ++switches_up_;
  current_ = to;
  return to;
}

AdaptiveStatus AdaptiveVideo::status() const {
  AdaptiveStatus s;
  s.target = ladder_[pending_.value_or(current_)].choice.key();
  s.switches_down = switches_down_;
  s.switches_up = switches_up_;
  s.probes = probes_.probes();
  s.probes_succeeded = probes_.successes();
  return s;
}

}  // namespace app
