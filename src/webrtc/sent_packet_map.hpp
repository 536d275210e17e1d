#pragma once
// Which shared stream packet each of one viewer's sequence numbers carried, for answering
// NACKs. Packets a viewer gets live follow the stream one for one (consecutive stream sequence
// numbers, one timestamp offset), so the map stores runs, not packets: a live stream is one
// run however long, and a replayed frame with its own timestamp is one run. How far back a
// NACK can reach is then set by time (the shared PacketHistory keeps at least the last second
// and the current GOP), not by a packet count.
#include <cstdint>
#include <optional>
#include <vector>

namespace webrtc {

class SentPacketMap {
 public:
  struct Entry {
    uint16_t stream_seq = 0;
    uint32_t ts_offset = 0;  // viewer timestamp = the stored packet's timestamp + this
  };

  // `max_runs`: how many runs are kept (each a frame with a timestamp of its own at most).
  explicit SentPacketMap(size_t max_runs);

  // Records the packet sent with the viewer sequence number that follows the previous one.
  void record(uint16_t viewer_seq, uint16_t stream_seq, uint32_t ts_offset) noexcept;
  // The packet sent as `viewer_seq`, when it is among the remembered runs and not older than
  // half the sequence space.
  std::optional<Entry> find(uint16_t viewer_seq) const noexcept;

  // Forgets every run: what was sent so far came from another stream (a rendition switch), so
  // its stream sequence numbers mean nothing in the new one's history.
  void forget() noexcept { count_ = 0; }

  size_t runs() const noexcept { return count_ < runs_.size() ? count_ : runs_.size(); }

 private:
  struct Run {
    uint32_t first = 0;  // packets recorded before this run (mod 2^32)
    uint16_t stream_seq = 0;
    uint16_t length = 0;
    uint32_t ts_offset = 0;
  };
  const Run& run_at(uint64_t k) const noexcept { return runs_[(count_ - k) % runs_.size()]; }

  std::vector<Run> runs_;
  uint64_t count_ = 0;     // runs ever started
  uint32_t recorded_ = 0;  // packets ever recorded (mod 2^32)
  uint16_t next_viewer_seq_ = 0;
};

}  // namespace webrtc
