#pragma once
// Answers a keyframe request (PLI/FIR) on a pass-through stream without a burst. The publisher
// cannot be asked for a keyframe over RTMP, so the viewer gets the frames from the cached
// keyframe to the live edge again, paced at a bounded multiple of the stream's bitrate; live
// frames that arrive meanwhile queue behind them, so the viewer sees the picture at once and
// catches up to live at (multiple - 1) times real time. A new keyframe at the live edge cuts
// the rest short (waiting for it is then no slower), so a replay never outlives the GOP the
// shared history keeps for NACKs. One replay at a time per viewer; sans-I/O (time comes in).
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>

#include "webrtc/packetized_frame.hpp"

namespace webrtc {

struct KeyframeReplayConfig {
  double rate_multiple = 2.0;     // of the stream's bitrate
  uint64_t min_bps = 2'000'000;   // a still screen's stream is tiny; its replay need not be
  uint64_t max_bps = 40'000'000;  // and a huge one must not flood a viewer
  std::chrono::microseconds max_burst{5000};  // bucket depth, in time at the pace rate
};

class KeyframeReplay {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Packets [first, end) of one frame, to send now.
  struct Chunk {
    const PacketizedFrame* frame = nullptr;
    size_t first = 0;
    size_t end = 0;
  };

  explicit KeyframeReplay(KeyframeReplayConfig config = {}) : config_(config) {}

  // Starts a replay of `frames` (a keyframe first). Replaces a replay in progress.
  void start(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps, TimePoint now);
  bool active() const noexcept { return !queue_.empty(); }
  // A live frame that arrived during the replay; it waits its turn.
  void push(PacketizedFramePtr frame);
  // The next packets the pace allows now, or nothing (done, or wait until next_due()).
  std::optional<Chunk> next(TimePoint now);
  // When the next packet may go; nothing when no replay is active.
  std::optional<TimePoint> next_due() const noexcept;
  uint64_t rate_bps() const noexcept { return rate_bps_; }
  void cancel() noexcept;

 private:
  void refill(TimePoint now) noexcept;
  double burst_bytes() const noexcept;

  KeyframeReplayConfig config_;
  std::deque<PacketizedFramePtr> queue_;
  size_t next_packet_ = 0;  // of queue_.front()
  double tokens_ = 0;       // bytes that may leave now
  TimePoint refilled_{};
  uint64_t rate_bps_ = 0;
};

}  // namespace webrtc
