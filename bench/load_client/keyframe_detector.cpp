#include "load_client/keyframe_detector.hpp"

namespace bench::load_client {
namespace {

constexpr uint8_t NalIdr = 5;
constexpr uint8_t NalSps = 7;
constexpr uint8_t NalStapA = 24;
constexpr uint8_t NalFuA = 28;

}  // namespace

bool KeyframeDetector::on_packet(uint16_t seq, uint32_t timestamp, bool marker,
                                 std::span<const uint8_t> payload) noexcept {
  if (done_) return false;
  // A new timestamp before the marker (marker lost) or a sequence gap: the unit is not whole.
  if (in_unit_ && (timestamp != timestamp_ || seq != next_seq_)) in_unit_ = false;
  const PacketInfo info = inspect(payload);
  if (!in_unit_) {
    if (!info.sps) return false;
    in_unit_ = true;
    timestamp_ = timestamp;
    has_idr_ = false;
    fu_open_ = false;
    broken_ = false;
  }
  apply(info);
  next_seq_ = static_cast<uint16_t>(seq + 1);
  if (!marker) return false;
  in_unit_ = false;
  done_ = has_idr_ && !fu_open_ && !broken_;
  return done_;
}

void KeyframeDetector::apply(const PacketInfo& info) noexcept {
  if (info.malformed) broken_ = true;
  if (info.idr) has_idr_ = true;
  if (!info.fu) {
    if (fu_open_) broken_ = true;  // a fragment run left unfinished
    fu_open_ = false;
    return;
  }
  if (info.fu_start) {
    if (fu_open_) broken_ = true;
    fu_open_ = true;
  } else if (!fu_open_) {
    broken_ = true;  // a middle or end fragment without its start
  }
  if (info.fu_end) fu_open_ = false;
}

KeyframeDetector::PacketInfo KeyframeDetector::inspect(std::span<const uint8_t> payload) noexcept {
  PacketInfo info;
  if (payload.empty()) {
    info.malformed = true;
    return info;
  }
  const uint8_t type = payload[0] & 0x1F;
  if (type == NalStapA) {
    scan_stap_a(payload, info);
  } else if (type == NalFuA) {
    // RFC 6184 5.8: FU indicator, then the FU header S|E|R|type.
    if (payload.size() < 2) {
      info.malformed = true;
      return info;
    }
    info.fu = true;
    info.fu_start = (payload[1] & 0x80) != 0;
    info.fu_end = (payload[1] & 0x40) != 0;
    const uint8_t inner = payload[1] & 0x1F;
    if (info.fu_start) {
      info.sps = inner == NalSps;
      info.idr = inner == NalIdr;
    }
  } else if (type >= 1 && type <= 23) {
    info.sps = type == NalSps;  // RFC 6184 5.6: single NAL unit packet
    info.idr = type == NalIdr;
  } else {
    info.malformed = true;  // STAP-B, MTAP, FU-B: not in packetization-mode 1
  }
  return info;
}

// RFC 6184 5.7.1: the STAP-A header byte, then (16-bit size, NAL unit) repeated.
void KeyframeDetector::scan_stap_a(std::span<const uint8_t> payload, PacketInfo& info) noexcept {
  size_t pos = 1;
  while (pos < payload.size()) {
    if (payload.size() - pos < 2) {
      info.malformed = true;
      return;
    }
    const size_t size = (size_t{payload[pos]} << 8) | payload[pos + 1];
    pos += 2;
    if (size == 0 || size > payload.size() - pos) {
      info.malformed = true;
      return;
    }
    const uint8_t type = payload[pos] & 0x1F;
    info.sps = info.sps || type == NalSps;
    info.idr = info.idr || type == NalIdr;
    pos += size;
  }
}

}  // namespace bench::load_client
