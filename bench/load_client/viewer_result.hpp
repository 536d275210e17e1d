#pragma once
// What one load viewer reports at the end of a run (see report.hpp for the JSON).
#include <cstdint>
#include <optional>
#include <string>

#include "load_client/viewer_session.hpp"

namespace bench::load_client {

struct ViewerResult {
  size_t index = 0;
  double started_s = 0;  // POST sent, seconds after the run's start
  int post_status = 0;   // 0: no answer
  int delete_status = 0;
  std::string error;                                // empty when all went well
  std::optional<double> time_to_connected_ms;       // POST sent -> first SRTP packet
  std::optional<double> time_to_first_keyframe_ms;  // POST sent -> last packet of the first IDR
  ViewerCounters counters;
  double fps_seconds = 0;  // the window fps is measured over
  double fps = 0;          // whole frames per second in that window
  // Over the same window: RTP bytes received (see ViewerCounters::window_bytes) as kbit/s,
  // and the longest time without a new whole frame (see FreezeMeter).
  double kbit = 0;
  std::optional<double> max_freeze_ms;
  // ICE-TCP (--tcp): socket bytes both ways (RFC 4571 framing included), datagrams our send
  // ring dropped, and when the viewer stopped reading (--tcp-stop-reading-after), in seconds
  // after the run's start; the measurement above ends there.
  bool tcp = false;
  uint64_t tcp_bytes_received = 0;
  uint64_t tcp_bytes_sent = 0;
  uint64_t tcp_send_dropped = 0;
  std::optional<double> stopped_reading_at_s;
};

}  // namespace bench::load_client
