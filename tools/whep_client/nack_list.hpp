#pragma once
// Which sequence numbers of one RTP stream to ask for again with generic NACKs (RFC 4585
// 6.2.1), in the spirit of RFC 4585 3.1's "early feedback": a gap is reported at once, then
// retried a few times unless the packet arrives (late or retransmitted). Bounded: at most
// MaxMissing entries; a gap wider than that is treated as a restart and not requested.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tools::whep_client {

class NackList {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t MaxMissing = 256;
  static constexpr uint8_t MaxRetries = 3;
  // Packets further behind the newest than this are no longer worth asking for.
  static constexpr uint16_t MaxAge = 1000;

  explicit NackList(std::chrono::milliseconds retry_interval = std::chrono::milliseconds(100))
      : retry_interval_(retry_interval) {}

  void on_packet(uint16_t seq, TimePoint now) noexcept;
  // Sequence numbers to NACK now, ascending in serial order, written to `out`; returns the
  // count. Each returned entry is rescheduled or, after MaxRetries, forgotten.
  size_t due(TimePoint now, std::span<uint16_t> out) noexcept;

  size_t missing() const noexcept { return count_; }
  uint64_t recovered() const noexcept { return recovered_; }  // requested, then received
  uint64_t given_up() const noexcept { return given_up_; }

 private:
  struct Entry {
    uint16_t seq = 0;
    uint8_t sent = 0;
    TimePoint next{};
  };
  void add(uint16_t seq, TimePoint now) noexcept;
  void remove_at(size_t i) noexcept;

  std::chrono::milliseconds retry_interval_;
  std::array<Entry, MaxMissing> entries_{};  // in arrival order of the gaps: ascending
  size_t count_ = 0;
  bool started_ = false;
  uint16_t highest_ = 0;
  uint64_t recovered_ = 0;
  uint64_t given_up_ = 0;
};

}  // namespace tools::whep_client
