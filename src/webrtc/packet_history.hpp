#pragma once
// The recent packetized frames of one stream as seen by one event loop: the start point for a
// joining viewer (from the latest keyframe) and the store that NACKs are answered from. Holds
// shared frames; nothing is copied. Used by one thread only.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "webrtc/packetized_frame.hpp"

namespace webrtc {

// Where a NACKed packet is looked up, by stream sequence number.
class PacketSource {
 public:
  virtual ~PacketSource() = default;
  virtual std::optional<std::span<const uint8_t>> find(uint16_t seq) const noexcept = 0;
};

class PacketHistory : public PacketSource {
 public:
  struct Limits {
    size_t max_packets = 16384;          // about 13 s at 10 Mbit/s; bounds memory for long GOPs
    int64_t min_age_ns = 1'000'000'000;  // older frames stay this long for NACKs
  };
  explicit PacketHistory(Limits limits);
  PacketHistory() : PacketHistory(Limits{}) {}

  void append(PacketizedFramePtr frame);
  // The frames from the most recent keyframe to the newest, oldest first; empty without one.
  std::vector<PacketizedFramePtr> since_keyframe() const;
  // A stored packet by stream sequence number.
  std::optional<std::span<const uint8_t>> find(uint16_t seq) const noexcept override;

  // The stream's bitrate over the frames held (RTP bytes per arrival time), 0 when unknown.
  uint64_t bitrate_bps() const noexcept;
  size_t frames() const noexcept { return frames_.size(); }
  size_t packets() const noexcept { return packets_; }
  void clear() noexcept;

 private:
  void trim();

  Limits limits_;
  std::deque<PacketizedFramePtr> frames_;
  size_t packets_ = 0;
  uint64_t bytes_ = 0;
  std::optional<size_t> keyframe_index_;  // into frames_
};

}  // namespace webrtc
