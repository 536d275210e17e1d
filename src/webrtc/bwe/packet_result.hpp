#pragma once
// What transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1) says
// about one sent packet, joined with what the sender remembers of it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace webrtc::bwe {

using TimePoint = std::chrono::steady_clock::time_point;
// Receive times are on the receiver's clock (reference time plus deltas): only differences
// between them mean anything.
using RemoteTime = std::chrono::microseconds;

struct PacketResult {
  int64_t sequence = 0;  // transport-wide sequence number, unwrapped
  // Left default (epoch, 0) when the feedback adapter does not know them: the estimator then
  // takes them from what `on_packet_sent` recorded.
  TimePoint send_time{};
  size_t size = 0;                         // bytes on the wire
  std::optional<RemoteTime> receive_time;  // empty: reported lost

  bool received() const noexcept { return receive_time.has_value(); }
};

}  // namespace webrtc::bwe
