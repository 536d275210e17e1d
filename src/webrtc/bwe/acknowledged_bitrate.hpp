#pragma once
// The rate the receiver actually got (R_hat of draft-ietf-rmcat-gcc-02 5.5): bytes of
// acknowledged packets over the last window of receive time. A fixed ring, so no allocation
// per packet.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "webrtc/bwe/packet_result.hpp"

namespace webrtc::bwe {

class AcknowledgedBitrate {
 public:
  static constexpr std::chrono::microseconds kWindow{500'000};

  explicit AcknowledgedBitrate(size_t capacity = 8192);

  void add(RemoteTime receive_time, size_t bytes) noexcept;
  // Empty until packets spanning at least half a window have been acknowledged.
  std::optional<int64_t> bitrate_bps() const noexcept;

 private:
  struct Sample {
    RemoteTime at{};
    size_t bytes = 0;
  };
  void drop_old() noexcept;

  std::vector<Sample> ring_;
  size_t head_ = 0;  // oldest
  size_t count_ = 0;
  size_t bytes_ = 0;
  std::optional<RemoteTime> first_;
  RemoteTime latest_{};
};

}  // namespace webrtc::bwe
