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
#include <vector>

#include "webrtc/packetized_frame.hpp"

namespace webrtc {

struct KeyframeReplayConfig {
  // Of the stream's bitrate (RTP bytes; the wire adds SRTP and UDP/IP headers, and NACK
  // repairs come on top): a viewer that asked for a keyframe was just losing packets.
  double rate_multiple = 1.5;
  // A joining viewer's link is unknown, not known bad: it catches up faster, and its first
  // frame (the keyframe) goes at once, up to join_burst_bytes.
  double join_rate_multiple = 2.0;
  uint64_t join_burst_bytes = 256 * 1024;
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

  // Pace: a live keyframe spread out at `stream_bps` itself (the caller's pace rate).
  enum class Cause : uint8_t { Join, KeyframeRequest, Pace };
  // Starts a replay of `frames` (a keyframe first). Replaces a replay in progress.
  void start(std::span<const PacketizedFramePtr> frames, uint64_t stream_bps, TimePoint now,
             Cause cause = Cause::KeyframeRequest);
  bool active() const noexcept { return !queue_.empty(); }
  // A live frame that arrived during the replay; it waits its turn.
  void push(PacketizedFramePtr frame);
  // The next packets the pace allows now, or nothing (done, or wait until next_due()).
  std::optional<Chunk> next(TimePoint now);
  // When the next packet may go; nothing when no replay is active.
  std::optional<TimePoint> next_due() const noexcept;
  uint64_t rate_bps() const noexcept { return rate_bps_; }
  void cancel() noexcept;
  // A packet of a frame this replay sent within the last second, by stream sequence number:
  // the shared history may drop an old GOP as soon as a new keyframe arrives, but what the
  // viewer was just sent must stay answerable to its NACKs.
  std::optional<std::span<const uint8_t>> find_sent(uint16_t seq, TimePoint now) const noexcept;

 private:
  void refill(TimePoint now) noexcept;
  double burst_bytes() const noexcept;
  void remember(const PacketizedFramePtr& frame, TimePoint now);

  struct Sent {
    PacketizedFramePtr frame;
    TimePoint at{};
  };
  static constexpr size_t RememberedFrames = 128;  // over 4 s of 30 fps; trimmed to 1 s
  static constexpr std::chrono::seconds RememberFor{1};

  KeyframeReplayConfig config_;
  std::deque<PacketizedFramePtr> queue_;
  size_t next_packet_ = 0;  // of queue_.front()
  double tokens_ = 0;       // bytes that may leave now
  TimePoint refilled_{};
  uint64_t rate_bps_ = 0;
  std::vector<Sent> sent_;  // a ring, sized on the first replay (audio never has one)
  size_t sent_count_ = 0;
};

}  // namespace webrtc
