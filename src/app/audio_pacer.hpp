#pragma once
// Puts the transcoded Opus packets back on their media clock before they leave. The AAC->Opus
// transcoder completes 20 ms packets only when an AAC access unit arrives (1024 samples: 32 ms
// at 32 kHz, 21.3 ms at 48 kHz), so it emits 0, 1 or 2 packets at a time and the publisher adds
// its own bursts. A browser's audio jitter buffer (WebRTC NetEq) sizes itself from the spread of
// arrival delays (the 95th percentile of each 500 ms maximum, rounded up to 20 ms, plus room
// for the largest delay of the last 2 s before it speeds up), and the video waits for the audio
// to keep lip sync. Sending each packet at `sync time + offset`, where the offset is the largest
// lateness seen over the last window, turns that spread into one constant delay here, paid once
// instead of rounded up and doubled in every viewer's buffer.
//
// Pure: the caller gives `now` and runs the timer (next_due, pop_due). Single-threaded.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "webrtc/packetized_frame.hpp"

namespace app {

class AudioPacer {
 public:
  struct Config {
    int64_t window_ns = 2'000'000'000;  // lateness remembered (NetEq's arrival history: 2 s)
    int64_t max_hold_ns = 80'000'000;   // no packet waits longer (after a publisher stall)
    size_t max_queue = 256;             // 5 s of 20 ms packets: beyond that, drop the oldest
  };

  AudioPacer() : AudioPacer(Config{}) {}
  explicit AudioPacer(Config config) : config_(config) {}

  // Queues a packet produced at `now_ns`; its media time is frame->sync_ns (steady clock).
  // Returns when it is due (never before now_ns, never before the packet queued before it).
  int64_t push(webrtc::PacketizedFramePtr frame, int64_t now_ns);
  // The due time of the oldest queued packet, if any.
  std::optional<int64_t> next_due() const noexcept;
  // Moves every packet due at `now_ns` into `out`, in order. Returns how many.
  size_t pop_due(int64_t now_ns, std::vector<webrtc::PacketizedFramePtr>& out);
  // The publisher stopped: forget the lateness history; queued packets stay due as they were.
  void reset() noexcept;

  size_t queued() const noexcept { return queue_.size(); }
  uint64_t dropped() const noexcept { return dropped_; }
  int64_t offset_ns() const noexcept { return lateness_.empty() ? 0 : lateness_.front().second; }

 private:
  struct Entry {
    int64_t due_ns;
    webrtc::PacketizedFramePtr frame;
  };

  Config config_;
  std::deque<Entry> queue_;
  // (media time, lateness), lateness decreasing from front to back: front() is the window max.
  std::deque<std::pair<int64_t, int64_t>> lateness_;
  bool have_last_ = false;
  int64_t last_media_ns_ = 0;
  int64_t last_due_ns_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace app
