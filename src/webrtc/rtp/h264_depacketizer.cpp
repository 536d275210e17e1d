#include "webrtc/rtp/h264_depacketizer.hpp"

#include <cstring>

#include "webrtc/rtp/nal_unit.hpp"

namespace webrtc::rtp {

H264Depacketizer::H264Depacketizer(size_t max_access_unit_size)
    : capacity_(max_access_unit_size), buf_(new uint8_t[max_access_unit_size]) {}

H264Depacketizer::Arrival H264Depacketizer::classify(uint16_t seq) noexcept {
  ++stats_.packets;
  if (!have_seq_) {
    have_seq_ = true;
    expected_seq_ = static_cast<uint16_t>(seq + 1);
    return Arrival::InOrder;
  }
  const uint16_t ahead = static_cast<uint16_t>(seq - expected_seq_);
  if (ahead >= 0x8000) {  // RFC 3550 A.1: behind the expected number, i.e. late or duplicate
    ++stats_.late;
    return Arrival::Late;
  }
  expected_seq_ = static_cast<uint16_t>(seq + 1);
  if (ahead == 0) return Arrival::InOrder;
  stats_.lost += ahead;
  return Arrival::AfterGap;
}

void H264Depacketizer::overflow() noexcept {
  if (!overflowed_) ++stats_.oversized;
  overflowed_ = true;
  broken_ = true;
}

void H264Depacketizer::reset() noexcept {
  size_ = 0;
  overflowed_ = false;
  have_unit_ = false;
  keyframe_ = false;
  broken_ = false;
  in_fragment_ = false;
}

bool H264Depacketizer::append(std::span<const uint8_t> bytes) noexcept {
  if (bytes.size() > capacity_ - size_) {
    overflow();
    return false;
  }
  if (!bytes.empty()) std::memcpy(buf_.get() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
  return true;
}

bool H264Depacketizer::append_nal(std::span<const uint8_t> nal) noexcept {
  const uint32_t n = static_cast<uint32_t>(nal.size());
  const uint8_t prefix[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                             static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  if (4 + nal.size() > capacity_ - size_) {
    overflow();
    return false;
  }
  append(prefix);
  append(nal);
  keyframe_ = keyframe_ || nal_unit_type(nal) == nal_type::IdrSlice;
  return true;
}

void H264Depacketizer::add_payload(std::span<const uint8_t> payload) noexcept {
  if (payload.empty()) return;  // e.g. a padding-only probe packet
  const uint8_t type = payload[0] & 0x1F;
  if (type >= 1 && type <= 23) {
    if (in_fragment_) abort_fragment();  // RFC 6184 5.8: the FU's end never arrived
    append_nal(payload);
  } else if (type == nal_type::StapA) {
    if (in_fragment_) abort_fragment();
    add_stap_a(payload);
  } else if (type == nal_type::FuA) {
    add_fu_a(payload);
  } else {
    ++stats_.malformed;  // STAP-B, MTAP, FU-B: not in packetization-mode=1
    broken_ = true;
  }
}

void H264Depacketizer::add_stap_a(std::span<const uint8_t> payload) noexcept {
  // RFC 6184 5.7.1: header byte, then (16-bit size, NAL unit) pairs filling the payload.
  size_t pos = 1;
  while (pos < payload.size()) {
    if (payload.size() - pos < 2) break;
    const size_t n = size_t{payload[pos]} << 8 | payload[pos + 1];
    pos += 2;
    if (n == 0 || n > payload.size() - pos) break;
    append_nal(payload.subspan(pos, n));
    pos += n;
  }
  if (pos != payload.size() || pos == 1) {
    ++stats_.malformed;
    broken_ = true;
  }
}

void H264Depacketizer::add_fu_a(std::span<const uint8_t> payload) noexcept {
  // RFC 6184 5.8: FU indicator (F, NRI, 28), FU header (S, E, R, type), fragment bytes.
  if (payload.size() < 2) {
    ++stats_.malformed;
    broken_ = true;
    return;
  }
  const bool start = payload[1] & 0x80;
  const bool end = payload[1] & 0x40;
  if (start) {
    if (in_fragment_) abort_fragment();
    const uint8_t header = static_cast<uint8_t>((payload[0] & 0xE0) | (payload[1] & 0x1F));
    const uint8_t placeholder[5] = {0, 0, 0, 0, header};
    fragment_start_ = size_;
    if (!append(placeholder)) return;
    in_fragment_ = true;
    keyframe_ = keyframe_ || (header & 0x1F) == nal_type::IdrSlice;
  } else if (!in_fragment_) {
    broken_ = true;  // its start was lost; the loss was already counted by sequence
    return;
  }
  if (!append(payload.subspan(2))) {
    abort_fragment();
    return;
  }
  if (end) {
    const size_t n = size_ - fragment_start_ - 4;
    uint8_t* p = buf_.get() + fragment_start_;
    p[0] = static_cast<uint8_t>(n >> 24);
    p[1] = static_cast<uint8_t>(n >> 16);
    p[2] = static_cast<uint8_t>(n >> 8);
    p[3] = static_cast<uint8_t>(n);
    in_fragment_ = false;
  }
}

void H264Depacketizer::abort_fragment() noexcept {
  size_ = fragment_start_;
  in_fragment_ = false;
  broken_ = true;
}

}  // namespace webrtc::rtp
