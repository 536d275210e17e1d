#pragma once
// Decides which NACKed packets of one track are sent again (RFC 4585 6.2.1), so that loss
// repair never turns into amplification: a viewer can spend on retransmissions only a share
// of what it was sent (a token bucket filled by sent bytes), one NACK packet costs a bounded
// number of sends, and a packet already resent within the last round trip is not resent again
// (the first copy may still be on its way; the viewer asks again if it is lost too).
// Sans-I/O: time comes in. One per track per viewer; used by one thread.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace webrtc {

struct NackResponderConfig {
  double budget_share = 0.5;           // resent bytes per byte sent, over time
  uint64_t max_budget_bytes = 262144;  // savings cap: a burst of repairs at most this large
  uint64_t initial_budget_bytes = 65536;
  uint32_t max_sends_per_nack = 128;  // one NACK packet costs at most this many sends
  // No second resend of a packet within max(RTT, this); the RTT when known, else this alone.
  std::chrono::milliseconds min_resend_interval{10};
  std::chrono::milliseconds max_resend_interval{500};
};

struct NackResponderStats {
  uint64_t over_budget = 0;  // asked for, not resent: the viewer's repair budget was spent
  uint64_t too_soon = 0;     // asked for again within a round trip of the last resend
  uint64_t over_nack_limit = 0;
};

class NackResponder {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit NackResponder(NackResponderConfig config = {});

  // Every original byte sent earns its share of repair budget: `total_sent` is the track's
  // running count of bytes sent.
  void credit(uint64_t total_sent) noexcept;
  // A new NACK packet starts: its sends are counted against max_sends_per_nack.
  void begin_nack() noexcept { sends_this_nack_ = 0; }
  // Whether the packet with this viewer sequence number and size may be resent now; when it
  // returns true the caller resends it (the budget is already charged).
  bool admit(uint16_t seq, size_t bytes, TimePoint now,
             std::optional<std::chrono::microseconds> rtt) noexcept;

  // A second copy of a packet just resent: charged to the budget like a resend (and it restarts
  // the packet's round-trip guard), but not counted against the NACK packet that asked.
  bool admit_copy(uint16_t seq, size_t bytes, TimePoint now) noexcept;

  const NackResponderStats& stats() const noexcept { return stats_; }
  uint64_t budget_bytes() const noexcept { return budget_; }

 private:
  struct Resent {
    uint16_t seq = 0;
    bool used = false;
    TimePoint at{};
  };
  static constexpr size_t RecentSlots = 256;  // direct-mapped by seq; a collision only forgets

  NackResponderConfig config_;
  uint64_t budget_;
  uint64_t credited_ = 0;  // total_sent at the last credit
  uint32_t sends_this_nack_ = 0;
  std::array<Resent, RecentSlots> recent_{};
  NackResponderStats stats_;
};

}  // namespace webrtc
