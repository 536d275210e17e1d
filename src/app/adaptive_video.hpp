#pragma once
// Adaptive bitrate for one quality=auto viewer, on its worker's loop: the ladder's feeds (leased
// for it by the WHEP service), the switcher that picks a rung from the viewer's bandwidth
// estimate, and the probe controller that tests the link before going up. It decides; the
// worker moves the viewer between feeds (at the new rung's keyframe) and the session probes.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/quality_choice.hpp"
#include "webrtc/abr/link_share.hpp"
#include "webrtc/abr/probe_controller.hpp"
#include "webrtc/abr/rendition_switcher.hpp"
#include "webrtc/send_side_bandwidth.hpp"

namespace app {

class WebRtcFeed;

struct LadderRung {
  QualityChoice choice;
  std::shared_ptr<WebRtcFeed> feed;
  int64_t bitrate_bps = 0;  // what it costs on the wire
};

struct AdaptiveStatus {
  std::string target;  // the rung being switched to, or the current one
  uint64_t switches_down = 0;
  uint64_t switches_up = 0;
  uint64_t probes = 0;
  uint64_t probes_succeeded = 0;
};

class AdaptiveVideo {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Decision {
    std::optional<size_t> switch_to;
    std::optional<webrtc::abr::ProbeRequest> probe;
  };

  // `ladder`: best first, at least two rungs; `start`: the rung the viewer starts on; `share`:
  // the group of viewers it shares its link with, if any.
  AdaptiveVideo(std::vector<LadderRung> ladder, size_t start,
                std::shared_ptr<webrtc::abr::LinkShare> share = nullptr);
  ~AdaptiveVideo();
  AdaptiveVideo(const AdaptiveVideo&) = delete;
  AdaptiveVideo& operator=(const AdaptiveVideo&) = delete;

  // Each update of the viewer's estimate.
  Decision on_estimate(const webrtc::SendSideBandwidthStats& bandwidth, TimePoint now);
  void on_probe_result(const webrtc::ProbeResult& result, TimePoint now);

  // The switch the worker carries out: pending until the new rung's keyframe arrives.
  void switch_pending(size_t rung, TimePoint now);
  void switch_cancelled() { pending_.reset(); }
  // Whether to ask the pending rung's encoder for an IDR now (true once per switch). Every
  // viewer on that rung gets the IDR, a burst into a link they may share with this one, so only
  // a switch down (the link is full: now) asks at once; one up waits for the rung's own GOP
  // keyframe and asks only if none came within kUpKeyframeWait.
  bool wants_keyframe(TimePoint now);
  size_t switch_done();
  // Switching down: the link is full, so the current rung's frames only delay the new rung's
  // keyframe behind them in the bottleneck's queue (and would be lost); they are not sent.
  bool holding_current() const noexcept { return pending_ && *pending_ > current_; }
  std::optional<size_t> pending() const noexcept { return pending_; }
  // Whether other adaptive viewers share its link (see LinkShare).
  bool shares_link() const { return share_ && share_->members() > 1; }
  // The feed the viewer waits to switch to, or null.
  const WebRtcFeed* switching_feed() const {
    return pending_ ? ladder_[*pending_].feed.get() : nullptr;
  }

  const LadderRung& rung(size_t index) const { return ladder_.at(index); }
  size_t current() const noexcept { return current_; }
  AdaptiveStatus status() const;

 private:
  std::vector<LadderRung> ladder_;
  webrtc::abr::RenditionSwitcher switcher_;
  webrtc::abr::ProbeController probes_;
  size_t current_;
  std::shared_ptr<webrtc::abr::LinkShare> share_;
  webrtc::abr::LinkShare::MemberId member_ = 0;
  std::optional<size_t> pending_;
  TimePoint pending_since_{};
  bool keyframe_asked_ = false;
  TimePoint probe_after_{};  // no probe before (a switch settles first)
  uint64_t switches_down_ = 0;
  uint64_t switches_up_ = 0;
};

}  // namespace app
