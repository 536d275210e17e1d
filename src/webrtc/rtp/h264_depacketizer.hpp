#pragma once
// Receiving side of RFC 6184 (packetization-mode=1) for our WHEP client and tests: rebuilds
// access units from single NAL, STAP-A and FU-A payloads. Access units end on the marker bit
// or on a timestamp change. No jitter buffer: a packet out of order counts as loss. The output
// is AVCC (4-byte length prefixes), like media::Frame::data, in one buffer allocated at
// construction and bounded by max_access_unit_size.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "webrtc/rtp/rtp_packet.hpp"

namespace webrtc::rtp {

class H264Depacketizer {
 public:
  static constexpr size_t DefaultMaxAccessUnitSize = 4 * 1024 * 1024;

  struct AccessUnit {
    std::span<const uint8_t> avcc;  // valid only during the callback
    uint32_t timestamp = 0;
    bool keyframe = false;  // holds an IDR slice (type 5)
    bool complete = false;  // no loss, no malformed payload, no overflow inside it
  };

  struct Stats {
    uint64_t packets = 0;
    uint64_t lost = 0;       // sequence numbers skipped
    uint64_t late = 0;       // duplicates or out-of-order packets, dropped
    uint64_t malformed = 0;  // payloads we could not parse
    uint64_t oversized = 0;  // access units cut at max_access_unit_size
  };

  explicit H264Depacketizer(size_t max_access_unit_size = DefaultMaxAccessUnitSize);

  // Feeds one packet of the stream. `on_access_unit(const AccessUnit&)` runs zero, one or two
  // times (a timestamp change flushes the previous unit, a marker flushes the current one).
  template <typename Fn>
  void push(const RtpPacketView& packet, Fn&& on_access_unit) {
    const Arrival arrival = classify(packet.sequence_number());
    if (arrival == Arrival::Late) return;
    const bool gap = arrival == Arrival::AfterGap;
    if (have_unit_ && packet.timestamp() != timestamp_) {
      broken_ = broken_ || gap;  // the lost packets may have been this unit's tail
      flush(on_access_unit);
    }
    have_unit_ = true;
    timestamp_ = packet.timestamp();
    broken_ = broken_ || gap;
    add_payload(packet.payload());
    if (packet.marker()) flush(on_access_unit);
  }

  const Stats& stats() const noexcept { return stats_; }

 private:
  enum class Arrival { InOrder, AfterGap, Late };
  Arrival classify(uint16_t seq) noexcept;  // updates the loss counters
  void add_payload(std::span<const uint8_t> payload) noexcept;
  void add_stap_a(std::span<const uint8_t> payload) noexcept;
  void add_fu_a(std::span<const uint8_t> payload) noexcept;
  bool append_nal(std::span<const uint8_t> nal) noexcept;
  bool append(std::span<const uint8_t> bytes) noexcept;
  void abort_fragment() noexcept;
  void overflow() noexcept;
  void reset() noexcept;

  template <typename Fn>
  void flush(Fn& on_access_unit) {
    if (in_fragment_) abort_fragment();
    if (size_ > 0) {
      on_access_unit(AccessUnit{{buf_.get(), size_}, timestamp_, keyframe_, !broken_});
    }
    reset();
  }

  size_t capacity_;
  std::unique_ptr<uint8_t[]> buf_;
  size_t size_ = 0;
  bool have_unit_ = false;  // a packet of the current access unit has been seen
  uint32_t timestamp_ = 0;
  bool keyframe_ = false;
  bool broken_ = false;
  bool overflowed_ = false;
  bool in_fragment_ = false;
  size_t fragment_start_ = 0;  // offset of the FU's 4-byte length prefix
  bool have_seq_ = false;
  uint16_t expected_seq_ = 0;
  Stats stats_;
};

}  // namespace webrtc::rtp
