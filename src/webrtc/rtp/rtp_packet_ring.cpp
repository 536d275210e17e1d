#include "webrtc/rtp/rtp_packet_ring.hpp"

#include <algorithm>
#include <cstring>

#include "webrtc/rtp/rtp_packet.hpp"

namespace webrtc::rtp {
namespace {

size_t round_capacity(size_t n) noexcept {
  size_t c = 1;
  while (c < n && c < RtpPacketRing::MaxCapacity)
    c <<= 1;
  return c;
}

}  // namespace

RtpPacketRing::RtpPacketRing(size_t capacity, size_t slot_size)
    : capacity_(round_capacity(capacity)),
      slot_size_(std::max(slot_size, FixedHeaderSize)),
      bytes_(new uint8_t[capacity_ * slot_size_]),
      slots_(new Slot[capacity_]) {}

std::span<uint8_t> RtpPacketRing::prepare(uint16_t seq) noexcept {
  const size_t i = index(seq);
  slots_[i].length = 0;
  slots_[i].seq = seq;
  return {bytes_.get() + i * slot_size_, slot_size_};
}

bool RtpPacketRing::commit(uint16_t seq, size_t length, bool keyframe_start) noexcept {
  Slot& slot = slots_[index(seq)];
  if (slot.seq != seq || length == 0 || length > slot_size_) return false;
  slot.length = static_cast<uint32_t>(length);
  // Newer in 16-bit serial arithmetic (RFC 1982) becomes the reference for ages.
  if (!have_newest_ || static_cast<int16_t>(seq - newest_) > 0) {
    newest_ = seq;
    have_newest_ = true;
  }
  if (keyframe_start) {
    keyframe_seq_ = seq;
    have_keyframe_ = true;
  }
  return true;
}

bool RtpPacketRing::store(std::span<const uint8_t> packet, bool keyframe_start) noexcept {
  if (!RtpPacketView::is_rtp(packet) || packet.size() > slot_size_) return false;
  const uint16_t seq = static_cast<uint16_t>(packet[2] << 8 | packet[3]);
  std::span<uint8_t> slot = prepare(seq);
  std::memcpy(slot.data(), packet.data(), packet.size());
  return commit(seq, packet.size(), keyframe_start);
}

bool RtpPacketRing::held(uint16_t seq) const noexcept {
  if (!have_newest_) return false;
  const Slot& slot = slots_[index(seq)];
  if (slot.length == 0 || slot.seq != seq) return false;
  return static_cast<uint16_t>(newest_ - seq) < capacity_;
}

std::optional<std::span<const uint8_t>> RtpPacketRing::find(uint16_t seq) const noexcept {
  if (!held(seq)) return std::nullopt;
  const size_t i = index(seq);
  return std::span<const uint8_t>(bytes_.get() + i * slot_size_, slots_[i].length);
}

std::optional<uint16_t> RtpPacketRing::newest() const noexcept {
  if (!have_newest_) return std::nullopt;
  return newest_;
}

std::optional<uint16_t> RtpPacketRing::last_keyframe_start() const noexcept {
  if (!have_keyframe_ || !held(keyframe_seq_)) return std::nullopt;
  return keyframe_seq_;
}

void RtpPacketRing::clear() noexcept {
  for (size_t i = 0; i < capacity_; ++i)
    slots_[i] = Slot{};
  have_newest_ = false;
  have_keyframe_ = false;
}

}  // namespace webrtc::rtp
