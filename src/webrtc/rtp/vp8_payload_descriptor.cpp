#include "webrtc/rtp/vp8_payload_descriptor.hpp"

namespace webrtc::rtp {
namespace {

// RFC 7741 4.2, first octet |X|R|N|S|R| PID | and extension octet |I|L|T|K| RSV |.
constexpr uint8_t BitX = 0x80;
constexpr uint8_t BitN = 0x20;
constexpr uint8_t BitS = 0x10;
constexpr uint8_t MaskPid = 0x07;
constexpr uint8_t BitI = 0x80;
constexpr uint8_t BitL = 0x40;
constexpr uint8_t BitT = 0x20;
constexpr uint8_t BitK = 0x10;
constexpr uint8_t BitM = 0x80;  // in the first PictureID octet: 15-bit PictureID
constexpr uint8_t BitY = 0x20;  // in the TID|Y|KEYIDX octet
constexpr uint8_t MaxTemporalId = 3;
constexpr uint8_t MaxKeyIndex = 31;

}  // namespace

std::optional<Vp8PayloadDescriptor> Vp8PayloadDescriptor::parse(
    std::span<const uint8_t> payload) noexcept {
  if (payload.empty()) return std::nullopt;
  Vp8PayloadDescriptor d;
  const uint8_t first = payload[0];
  d.non_reference = (first & BitN) != 0;
  d.start = (first & BitS) != 0;
  d.partition_id = first & MaskPid;
  size_t pos = 1;
  if ((first & BitX) != 0) {
    if (payload.size() <= pos) return std::nullopt;
    const uint8_t ext = payload[pos++];
    d.extended = true;
    if ((ext & BitI) != 0) {
      if (payload.size() <= pos) return std::nullopt;
      d.long_picture_id = (payload[pos] & BitM) != 0;
      if (d.long_picture_id) {
        if (payload.size() <= pos + 1) return std::nullopt;
        d.picture_id = static_cast<uint16_t>(((payload[pos] & 0x7F) << 8) | payload[pos + 1]);
        pos += 2;
      } else {
        d.picture_id = payload[pos++] & 0x7F;
      }
    }
    if ((ext & BitL) != 0) {
      if (payload.size() <= pos) return std::nullopt;
      d.tl0_pic_idx = payload[pos++];
    }
    if ((ext & (BitT | BitK)) != 0) {
      if (payload.size() <= pos) return std::nullopt;
      const uint8_t tk = payload[pos++];
      // The TID|Y part is to be ignored when T is 0, KEYIDX when K is 0 (4.2).
      if ((ext & BitT) != 0) {
        d.temporal_id = static_cast<uint8_t>(tk >> 6);
        d.layer_sync = (tk & BitY) != 0;
      }
      if ((ext & BitK) != 0) d.key_index = tk & MaxKeyIndex;
    }
  }
  if (payload.size() <= pos) return std::nullopt;  // 4.2: followed by at least one byte
  return d;
}

size_t Vp8PayloadDescriptor::size() const noexcept {
  const bool tk = temporal_id.has_value() || key_index.has_value();
  const bool ext = extended || picture_id.has_value() || tl0_pic_idx.has_value() || tk;
  size_t n = 1;
  if (ext) ++n;
  if (picture_id) n += long_picture_id ? 2 : 1;
  if (tl0_pic_idx) ++n;
  if (tk) ++n;
  return n;
}

size_t Vp8PayloadDescriptor::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (out.size() < n || partition_id > MaxPartitionId ||
      (picture_id && *picture_id > (long_picture_id ? MaxPictureId : 0x7F)) ||
      (temporal_id && *temporal_id > MaxTemporalId) || (key_index && *key_index > MaxKeyIndex)) {
    return 0;
  }
  const bool tk = temporal_id.has_value() || key_index.has_value();
  size_t pos = 0;
  out[pos++] = static_cast<uint8_t>((n > 1 ? BitX : 0) | (non_reference ? BitN : 0) |
                                    (start ? BitS : 0) | partition_id);
  if (n == 1) return n;
  out[pos++] = static_cast<uint8_t>((picture_id ? BitI : 0) | (tl0_pic_idx ? BitL : 0) |
                                    (temporal_id ? BitT : 0) | (key_index ? BitK : 0));
  if (picture_id) {
    if (long_picture_id) {
      out[pos++] = static_cast<uint8_t>(BitM | (*picture_id >> 8));
      out[pos++] = static_cast<uint8_t>(*picture_id);
    } else {
      out[pos++] = static_cast<uint8_t>(*picture_id);
    }
  }
  if (tl0_pic_idx) out[pos++] = *tl0_pic_idx;
  if (tk) {
    out[pos++] = static_cast<uint8_t>((temporal_id.value_or(0) << 6) | (layer_sync ? BitY : 0) |
                                      key_index.value_or(0));
  }
  return pos;
}

}  // namespace webrtc::rtp
