#pragma once
// The load run's results: aggregates over all viewers (connected count, percentiles of the two
// start-up times, loss, fps) as JSON and as a short human table. Pure: no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "load_client/viewer_result.hpp"

namespace bench::load_client {

struct RunInfo {
  std::string url;  // without the query (no token in reports)
  size_t viewers = 0;
  double ramp = 0;     // viewers started per second; 0: all at once
  double seconds = 0;  // measurement window after the last start
  unsigned threads = 1;
  uint32_t sample_auth = 1;
  bool audio = true;
  bool gro = true;                               // coalesced reads (UDP_GRO)
  bool tcp = false;                              // ICE-TCP instead of UDP
  std::optional<double> tcp_stop_reading_after;  // seconds of media before a viewer stalls
  bool transport_cc = false;                     // transport-cc offered and fed back
  double settle = 0;                             // seconds from the window start before counting
  double wall_s = 0;                             // whole run, first POST to last DELETE
  double client_cpu_s = 0;                       // this process, user + system, whole run
  double client_cpu_window_s = 0;                // this process during the measurement window
};

struct Percentiles {
  size_t count = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

// Nearest-rank percentiles; nullopt for no values.
std::optional<Percentiles> percentiles(std::vector<double> values);

struct RunSummary {
  size_t viewers = 0;
  size_t connected = 0;      // SRTP media received
  size_t with_keyframe = 0;  // a whole keyframe received
  size_t with_video = 0;
  size_t with_audio = 0;
  size_t failed = 0;  // any error
  std::optional<Percentiles> connected_ms;
  std::optional<Percentiles> keyframe_ms;
  uint64_t video_packets = 0;
  uint64_t audio_packets = 0;
  uint64_t bytes = 0;
  uint64_t expected = 0;  // video + audio
  uint64_t lost = 0;
  double loss_percent = 0;
  uint64_t nacks_sent = 0;
  uint64_t nack_recovered = 0;
  uint64_t auth_checked = 0;
  uint64_t auth_failures = 0;
  double max_lag_ms = 0;  // the worst viewer's FrameCounter::lag_ms at its end
  std::optional<double> min_fps;
  std::optional<double> median_fps;
  uint64_t feedbacks_sent = 0;          // transport-cc
  std::optional<double> max_freeze_ms;  // the worst viewer's
};

RunSummary summarize(std::span<const ViewerResult> viewers);

std::string to_json(const RunInfo& info, const RunSummary& summary,
                    std::span<const ViewerResult> viewers);
// A few lines; lists up to five distinct viewer errors.
std::string to_table(const RunInfo& info, const RunSummary& summary,
                     std::span<const ViewerResult> viewers);

}  // namespace bench::load_client
