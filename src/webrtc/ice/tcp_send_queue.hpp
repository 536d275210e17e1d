#pragma once
// The bytes waiting to go out on one viewer's ICE-TCP connection: RFC 4571 frames in a fixed
// byte ring. Media is loss-tolerant, so when the ring is full a datagram is dropped whole
// (never a partial frame, which would break the framing for the rest of the connection), and a
// viewer that stops reading shows as stalled_for() growing so the caller can close it. A slow
// TCP viewer thus costs its own packets, never another viewer's time.
//
// Sans-I/O, no allocation after construction. The socket layer writes front() (or both spans of
// pending() as one gather write), then consume(n) with what was actually written. push() only
// fills free space, so the spans being written stay valid while more datagrams are queued.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace webrtc::ice {

class TcpSendQueue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  struct Limits {
    // About 250 ms of an 8 Mbit/s stream: enough to ride out a TCP retransmission, small
    // enough that a viewer behind it still sees live video.
    size_t capacity = 256 * 1024;
    // Above this the viewer is falling behind; stalled_for() counts from the crossing.
    size_t high_water = 128 * 1024;
  };

  TcpSendQueue() : TcpSendQueue(Limits{}) {}
  // capacity is raised to at least one full frame (2 + 65535 bytes) and high_water clamped to
  // capacity, so every frameable datagram fits an empty queue.
  explicit TcpSendQueue(Limits limits);

  // Appends the datagram behind its 2-byte length. False, and the datagram counted as dropped,
  // if it is empty or over 65535 bytes, or if it would take the queue over capacity.
  bool push(std::span<const uint8_t> datagram, TimePoint now) noexcept;

  // The oldest queued bytes up to the end of the ring (empty when nothing is queued). Valid
  // until consume(); push() does not touch them.
  std::span<const uint8_t> front() const noexcept;
  // All queued bytes in order: front() and the part that wrapped to the start of the ring
  // (empty when nothing wrapped), for a gather write.
  std::array<std::span<const uint8_t>, 2> pending() const noexcept;
  // Forgets the first `n` queued bytes (clamped to bytes_queued()), after a write sent them.
  void consume(size_t n, TimePoint now) noexcept;

  size_t bytes_queued() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  size_t capacity() const noexcept { return ring_.size(); }
  // How long bytes_queued() has stayed above high_water without dropping to it; zero when it
  // is not above now.
  Duration stalled_for(TimePoint now) const noexcept;

  uint64_t dropped_packets() const noexcept { return dropped_packets_; }
  uint64_t dropped_bytes() const noexcept { return dropped_bytes_; }

 private:
  void put(std::span<const uint8_t> bytes) noexcept;
  void update_water_mark(TimePoint now) noexcept;

  std::vector<uint8_t> ring_;
  size_t high_water_;
  size_t head_ = 0;  // index of the oldest queued byte
  size_t size_ = 0;  // queued bytes
  std::optional<TimePoint> above_high_water_since_;
  uint64_t dropped_packets_ = 0;
  uint64_t dropped_bytes_ = 0;
};

}  // namespace webrtc::ice
