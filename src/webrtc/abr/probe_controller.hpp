#pragma once
// When to probe the link for the next rung up, and how hard. The bandwidth estimate climbs
// slowly (AIMD, about 8 %/s); a probe (a short burst at a target rate, measured by
// ProbeBitrateEstimator) shows within a few hundred ms whether the next rung would fit.
// At most one probe in flight; failed probes back off so a full link is not hammered.
// Sans-I/O: the caller passes `now` and sends the probe it is given.
#include <chrono>
#include <cstdint>
#include <optional>

namespace webrtc::abr {

using TimePoint = std::chrono::steady_clock::time_point;

struct ProbeRequest {
  int cluster = 0;
  int64_t target_bps = 0;  // total rate while the probe runs (media included)
  std::chrono::milliseconds duration{};
};

class ProbeController {
 public:
  struct Config {
    // Target = next rung x this: a bit above what the rung needs (rung / success_headroom =
    // 1.33 x) so a measurement a few per cent low still proves the rung.
    double target_ratio = 1.5;
    // Never probe above cap_ratio x the estimate. A burst of 200 ms at 3x a link that is really
    // full queues about 400 ms of data once; GCC's own start-up probes use 3x too. It also
    // bounds which rung can be probed: the rung's need must fit under the cap.
    double cap_ratio = 3.0;
    // Success: the rung fits the measured rate with this headroom (same as the switcher's
    // down_headroom: a rung proven this way is then kept).
    double success_headroom = 0.75;  // the switcher's probe_headroom
    // No probe when the rung already fits the estimate with the switcher's up headroom: it
    // goes up on the estimate alone. Mirrors SwitcherConfig::up_headroom.
    double fits_without_probe = 0.7;
    // Long enough for ~20 packets at low rates (a rate needs several), short enough that
    // a failed probe's queue drains quickly.
    std::chrono::milliseconds duration{200};
    // A result comes about one round trip plus a feedback interval after the probe ends;
    // none after this counts as a failure.
    std::chrono::milliseconds result_timeout{1000};
    std::chrono::milliseconds initial_backoff{2000};
    std::chrono::milliseconds max_backoff{30'000};
    // The estimate rising this much since a failure makes the failure stale.
    double reset_backoff_rise = 0.25;
    // After a success, the same rung is not probed again for this long (the switcher uses
    // the result; a delay here means its min_interval is holding the switch).
    std::chrono::milliseconds repeat_success_after{5000};
  };

  ProbeController() : ProbeController(Config{}) {}
  explicit ProbeController(Config config);

  // Every estimate update. `rung_up_bps`: the next rung's bitrate (0 at the top). Returns a
  // probe to start now, if any. A probe in flight past its timeout fails here.
  std::optional<ProbeRequest> on_estimate(int64_t estimate_bps, int64_t rung_up_bps,
                                          TimePoint now) noexcept;
  // The probe's measured rate (from ProbeBitrateEstimator) or nullopt (it gave none).
  // Returns whether it proved the rung it was sent for; unknown clusters are ignored.
  bool on_probe_result(int cluster, std::optional<int64_t> measured_bps, TimePoint now) noexcept;

  bool in_flight() const noexcept { return in_flight_.has_value(); }
  // The probe just returned was not sent (another viewer of the same link probes now): as if
  // it had not been asked for; the next on_estimate may ask again.
  void withdraw() noexcept {
    if (!in_flight_) return;
    in_flight_.reset();
    if (probes_ > 0) --probes_;
  }
  std::chrono::milliseconds backoff() const noexcept { return backoff_; }
  uint64_t probes() const noexcept { return probes_; }
  uint64_t successes() const noexcept { return successes_; }
  uint64_t failures() const noexcept { return failures_; }

 private:
  struct InFlight {
    int cluster;
    int64_t rung_bps;
    TimePoint deadline;
  };
  void fail(TimePoint now) noexcept;

  Config config_;
  std::optional<InFlight> in_flight_;
  int next_cluster_ = 0;
  int64_t last_estimate_bps_ = 0;
  std::chrono::milliseconds backoff_;
  std::optional<TimePoint> retry_at_;  // set by a failure
  int64_t estimate_at_failure_ = 0;
  int64_t rung_at_failure_ = 0;
  int64_t rung_at_success_ = 0;
  TimePoint success_at_{};
  uint64_t probes_ = 0;
  uint64_t successes_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace webrtc::abr
