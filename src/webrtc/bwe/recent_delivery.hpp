#pragma once
// What the link delivered over the last ~150 ms of feedback: the received rate and the share
// lost. The estimate's own signals lag a sudden capacity drop (the acknowledged rate averages
// half a second, the loss-based control decides once a second); with most packets lost, the
// rate that still arrives is the link's capacity now, so the rendition switcher can go to a
// rung that fits at once instead of stepping down through the ones in between.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/bwe/packet_result.hpp"

namespace webrtc::bwe {

struct Delivery {
  int64_t bps = 0;     // received bytes over the receive-time span
  double loss = 0;     // lost / (lost + received)
  size_t packets = 0;  // reported in the window
};

class RecentDelivery {
 public:
  static constexpr std::chrono::microseconds Window{150'000};

  void on_sent(int64_t sequence, size_t bytes) noexcept;
  void on_feedback(std::span<const PacketResult> results) noexcept;
  // The newest complete window; empty before the first.
  std::optional<Delivery> last() const noexcept { return last_; }

 private:
  static constexpr size_t RingSize = 4096;
  struct Sent {
    int64_t sequence = -1;
    uint16_t bytes = 0;
  };
  std::array<Sent, RingSize> sent_{};
  std::optional<RemoteTime> first_;
  RemoteTime newest_{};
  uint64_t bytes_ = 0;
  size_t received_ = 0;
  size_t lost_ = 0;
  std::optional<Delivery> last_;
};

}  // namespace webrtc::bwe
