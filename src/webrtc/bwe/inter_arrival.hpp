#pragma once
// Packet groups and the delay variation between them (draft-ietf-rmcat-gcc-02 5.2). A group
// is what the sender sent within one burst (5 ms); comparing when consecutive groups left and
// arrived removes the sender's own burstiness and leaves the path's queueing.
#include <chrono>
#include <optional>

#include "webrtc/bwe/packet_result.hpp"

namespace webrtc::bwe {

// Between the previous completed group and the one just completed, in milliseconds.
struct GroupDelta {
  double send_delta_ms = 0;
  double arrival_delta_ms = 0;
  double arrival_time_ms = 0;  // the completed group's last arrival, receiver clock
};

class InterArrival {
 public:
  static constexpr std::chrono::microseconds kBurstTime{5000};
  // A receiver clock jump (or a gap) this large restarts the grouping rather than being
  // read as queueing.
  static constexpr std::chrono::microseconds kMaxArrivalGap{3'000'000};

  // Feeds one received packet, in send order. Returns the delta when the packet starts a new
  // group and two completed groups exist. Packets sent before the current group (reordered
  // feedback) are ignored.
  std::optional<GroupDelta> add(TimePoint send_time, RemoteTime arrival) noexcept;

  size_t ignored() const noexcept { return ignored_; }
  size_t resets() const noexcept { return resets_; }

 private:
  struct Group {
    TimePoint first_send{};
    TimePoint last_send{};
    RemoteTime first_arrival{};
    RemoteTime last_arrival{};
  };
  bool belongs_to_current(TimePoint send_time, RemoteTime arrival) const noexcept;

  std::optional<Group> current_;
  std::optional<Group> previous_;
  size_t ignored_ = 0;
  size_t resets_ = 0;
};

}  // namespace webrtc::bwe
