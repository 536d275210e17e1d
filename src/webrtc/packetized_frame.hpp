#pragma once
// One media frame turned into RTP packets, once per stream, and then shared read-only by every
// viewer (and every event loop) that sends it. Packets sit in fixed-size slots of one buffer.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace webrtc {

enum class TrackKind : uint8_t { Video, Audio };

struct PacketizedFrame {
  static constexpr size_t SlotSize = 1232;  // 12 header + 20 extension room + 1200 payload

  TrackKind kind = TrackKind::Video;
  bool keyframe = false;       // a viewer can start here (H.264: SPS/PPS + IDR; VP8: key frame)
  bool discontinuity = false;  // first frame after a publisher (re)start
  uint16_t first_seq = 0;      // stream sequence number of packet 0
  uint32_t rtp_timestamp = 0;
  int64_t arrival_ns = 0;  // when the source frame was complete at ingest (steady clock)
  // The steady-clock instant this frame's publisher timestamp stands for, on a mapping shared
  // by all tracks of the stream: sender reports derive from it, so audio and video line up.
  int64_t sync_ns = 0;
  std::vector<uint8_t> slots;  // packet i at [i * SlotSize, i * SlotSize + lengths[i])
  std::vector<uint16_t> lengths;

  size_t count() const noexcept { return lengths.size(); }
  std::span<const uint8_t> packet(size_t i) const noexcept {
    return {slots.data() + i * SlotSize, lengths[i]};
  }
  // Whether stream sequence number `seq` belongs to this frame (wrap-aware).
  bool holds(uint16_t seq) const noexcept {
    return static_cast<uint16_t>(seq - first_seq) < count();
  }
};

using PacketizedFramePtr = std::shared_ptr<const PacketizedFrame>;

}  // namespace webrtc
