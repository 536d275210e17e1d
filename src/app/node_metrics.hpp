#pragma once
// The node's /metrics page: streams, viewers, bitrates in and out, packets, NACKs, PLIs, failed
// handshakes, tokens issued and refusals, in the Prometheus text format.
#include <array>
#include <string>
#include <vector>

#include "app/node_counters.hpp"
#include "app/rendition_feeds.hpp"
#include "app/webrtc_worker.hpp"
#include "auth/failed_auth_limiter.hpp"
#include "media/stream_stats.hpp"

namespace app {

struct NodeMetricsInput {
  const NodeCounters& counters;
  std::vector<media::StreamStatus> streams;
  std::vector<ViewerStatus> viewers;  // WebRTC viewers with their sessions up
  size_t whep_sessions = 0;           // WebRTC sessions, pending ones included
  EgressTotals egress;
  EncoderTotals encoders;
  double uptime_s = 0;
  uint64_t http_shed = 0;  // waiting HTTP connections closed to make room for others
  // The failed-authentication limiter's counts, by auth::Secret.
  std::array<auth::FailedAuthLimiter::Counts, auth::SecretCount> failed_auth{};
};

std::string render_node_metrics(const NodeMetricsInput& in);

}  // namespace app
