#pragma once
// Which packets of one RTP stream to request again with generic NACKs (RFC 4585 6.2.1), as a
// browser does: a gap is first requested after a reorder wait (a packet merely reordered needs
// no NACK; zero asks at once, RFC 4585 3.1's "early feedback"), then again every retry
// interval, a few times, unless it arrives. Bounded: at most MaxMissing entries; a jump wider
// than that is taken as a restart, not requested.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tools::whep_client {

struct NackTrackerConfig {
  std::chrono::milliseconds reorder_wait{10};
  std::chrono::milliseconds retry_interval{100};
  uint8_t max_sends = 3;
};

class NackTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxMissing = 256;
  static constexpr uint16_t MaxAge = 1000;  // sequence numbers behind the newest

  explicit NackTracker(NackTrackerConfig config = {}) noexcept : config_(config) {}

  void on_packet(uint16_t seq, TimePoint now) noexcept;
  // Writes the sequence numbers due now (ascending in arrival order of the gaps) and returns
  // their count; each is rescheduled, or forgotten after max_sends.
  size_t due(TimePoint now, std::span<uint16_t> out) noexcept;
  std::optional<TimePoint> next_due() const noexcept;

  size_t missing() const noexcept { return count_; }
  uint64_t requested() const noexcept { return requested_; }  // distinct packets NACKed
  uint64_t recovered() const noexcept { return recovered_; }  // NACKed, then received
  uint64_t given_up() const noexcept { return given_up_; }    // pushed out, aged or sent out

 private:
  struct Entry {
    uint16_t seq = 0;
    uint8_t sent = 0;
    TimePoint next{};
  };
  void add(uint16_t seq, TimePoint due_at) noexcept;
  void remove_at(size_t i) noexcept;

  NackTrackerConfig config_;
  std::array<Entry, MaxMissing> entries_{};
  size_t count_ = 0;
  bool started_ = false;
  uint16_t highest_ = 0;
  uint64_t requested_ = 0;
  uint64_t recovered_ = 0;
  uint64_t given_up_ = 0;
};

}  // namespace tools::whep_client
