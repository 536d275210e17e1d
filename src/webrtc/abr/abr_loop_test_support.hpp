#pragma once
// One viewer's decision loop for tests: switcher and probe controller wired as in
// rendition_switcher.hpp, probes modelled as measuring min(target, link capacity) and
// answering 200 ms after they end.
#include <algorithm>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "webrtc/abr/probe_controller.hpp"
#include "webrtc/abr/rendition_switcher.hpp"

namespace webrtc::abr::test {

inline std::vector<Rung> default_ladder() {
  return {{"source", 6'000'000}, {"720p", 2'500'000}, {"480p", 1'000'000}, {"240p", 300'000}};
}

struct ViewerLoop {
  ViewerLoop(size_t start, std::function<int64_t(TimePoint)> capacity_bps)
      : switcher(default_ladder(), start), capacity(std::move(capacity_bps)) {}

  void step(int64_t estimate_bps, TimePoint now) {
    if (pending && now >= result_at) {
      int64_t measured = std::min(pending->target_bps, capacity(probe_start));
      if (prober.on_probe_result(pending->cluster, measured, now)) {
        switcher.on_probe_succeeded(measured, now);
      } else {
        switcher.on_link_full(measured, now);
      }
      pending.reset();
    }
    if (auto to = switcher.on_estimate(estimate_bps, now)) log.emplace_back(now, *to);
    auto basis = std::max(estimate_bps, switcher.evidence_bps());
    if (auto p = prober.on_estimate(basis, switcher.next_up_bps(), now)) {
      pending = p;
      probe_start = now;
      result_at = now + p->duration + std::chrono::milliseconds{200};
    }
  }

  size_t switches_between(TimePoint from, TimePoint to) const {
    return static_cast<size_t>(std::count_if(
        log.begin(), log.end(), [&](const auto& e) { return e.first >= from && e.first < to; }));
  }

  RenditionSwitcher switcher;
  ProbeController prober;
  std::function<int64_t(TimePoint)> capacity;
  std::optional<ProbeRequest> pending;
  TimePoint probe_start{};
  TimePoint result_at{};
  std::vector<std::pair<TimePoint, size_t>> log;  // when, to which rung
};

}  // namespace webrtc::abr::test
