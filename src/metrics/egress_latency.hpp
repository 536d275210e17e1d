#pragma once
// Where a frame's server-added latency goes, by frame kind, in three histograms per kind:
// `total` from the publisher's RTMP message being complete to the frame's last RTP packet handed
// to the socket for the last viewer on a loop; `wait`, the part before that loop starts sending
// it (transcoding, packetizing, waiting behind other frames on the loop); `fanout`, the part
// spent sending it to the loop's viewers (grows with viewers per loop). total = wait + fanout.
// Keyframes apart: one in a GOP, several times a delta frame's packets, so they alone would set
// a video p99. Written by every loop, read by /metrics.
#include <chrono>
#include <cstdint>

#include "metrics/latency_histogram.hpp"

namespace metrics {

enum class FrameKind : uint8_t { Delta, Keyframe, Audio };

struct EgressStages {
  LatencyHistogram total;
  LatencyHistogram wait;
  LatencyHistogram fanout;
};

class EgressLatency {
 public:
  // Steady-clock nanoseconds: when the frame was complete at ingest, when the loop started
  // sending it, when its last packet went to the socket.
  void record(FrameKind kind, int64_t arrival_ns, int64_t start_ns, int64_t end_ns) noexcept {
    auto& s = of(kind);
    s.total.record(std::chrono::nanoseconds(end_ns - arrival_ns));
    s.wait.record(std::chrono::nanoseconds(start_ns - arrival_ns));
    s.fanout.record(std::chrono::nanoseconds(end_ns - start_ns));
  }
  EgressStages& of(FrameKind kind) noexcept { return stages_[static_cast<size_t>(kind)]; }
  const EgressStages& of(FrameKind kind) const noexcept {
    return stages_[static_cast<size_t>(kind)];
  }

 private:
  EgressStages stages_[3];
};

}  // namespace metrics
