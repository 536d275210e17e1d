#pragma once
// Per-stream history of packetized RTP packets in stream sequence space: each frame is
// packetized once into it, every viewer sends from it (rewriting a private copy), and NACKs
// are answered from it. Fixed capacity, all memory allocated at construction, O(1) lookup by
// sequence number (slot = seq mod capacity). Not thread-safe: one owner (the stream's strand);
// readers elsewhere copy a packet out under the owner's control.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace webrtc::rtp {

class RtpPacketRing {
 public:
  static constexpr size_t DefaultCapacity = 4096;  // about 4 s at 8-10 Mbit/s
  static constexpr size_t DefaultSlotSize = 1232;  // 12 header + 20 extensions + 1200 payload
  static constexpr size_t MaxCapacity = 32768;     // half the 16-bit space keeps ages unambiguous

  // `capacity` is rounded up to a power of two and clamped to [1, MaxCapacity].
  explicit RtpPacketRing(size_t capacity = DefaultCapacity, size_t slot_size = DefaultSlotSize);

  // Two-phase write without a copy: prepare() returns the slot_size() bytes for `seq` (the
  // packet previously there is dropped), the caller writes header and payload there, then
  // commit() publishes `length` bytes. `keyframe_start` marks the first packet of an IDR
  // access unit so a joining viewer can start there.
  std::span<uint8_t> prepare(uint16_t seq) noexcept;
  bool commit(uint16_t seq, size_t length, bool keyframe_start = false) noexcept;
  // Copying write: the sequence number is read from the RTP header. False when the bytes are
  // not RTP or do not fit a slot.
  bool store(std::span<const uint8_t> packet, bool keyframe_start = false) noexcept;

  // The stored packet with this sequence number, if still held (not overwritten, not older
  // than capacity() behind the newest). Valid until the slot is prepared again.
  std::optional<std::span<const uint8_t>> find(uint16_t seq) const noexcept;
  std::optional<uint16_t> newest() const noexcept;
  // Most recent keyframe start that is still held.
  std::optional<uint16_t> last_keyframe_start() const noexcept;

  size_t capacity() const noexcept { return capacity_; }
  size_t slot_size() const noexcept { return slot_size_; }
  void clear() noexcept;

 private:
  struct Slot {
    uint32_t length = 0;  // 0: empty or being written
    uint16_t seq = 0;
  };

  size_t index(uint16_t seq) const noexcept { return seq & (capacity_ - 1); }
  bool held(uint16_t seq) const noexcept;

  size_t capacity_;
  size_t slot_size_;
  std::unique_ptr<uint8_t[]> bytes_;
  std::unique_ptr<Slot[]> slots_;
  bool have_newest_ = false;
  uint16_t newest_ = 0;
  bool have_keyframe_ = false;
  uint16_t keyframe_seq_ = 0;
};

}  // namespace webrtc::rtp
