#include "webrtc/rtp/h264_packetizer.hpp"

#include <algorithm>
#include <cstring>

namespace webrtc::rtp {
namespace {

constexpr size_t StapAHeaderSize = 1;  // RFC 6184 5.7.1: STAP-A NAL header
constexpr size_t StapASizeField = 2;   // 16-bit NALU size before each aggregated unit
constexpr size_t FuAHeaderSize = 2;    // RFC 6184 5.8: FU indicator + FU header

// Types that must never reach the wire from an access unit: AUD and filler carry nothing a
// WebRTC decoder needs; 0 and 24-31 are unspecified or RTP-only (RFC 6184 5.4 table 1).
bool dropped(uint8_t type) noexcept {
  return type == 0 || type == nal_type::Aud || type == nal_type::Filler || type >= 24;
}

}  // namespace

H264Packetizer::H264Packetizer(size_t max_payload_size) noexcept
    : max_payload_(std::max(max_payload_size, MinMaxPayloadSize)) {}

bool H264Packetizer::add(NalUnit nal) noexcept {
  if (nal.empty()) return true;
  if (input_count_ == input_.size()) return false;
  input_[input_count_++] = nal;
  return true;
}

bool H264Packetizer::begin(std::span<const NalUnit> nal_units, NalUnit sps, NalUnit pps) noexcept {
  input_count_ = 0;
  bool ok = true;
  for (NalUnit nal : nal_units)
    ok = ok && add(nal);
  if (!ok) input_count_ = 0;
  finish_begin(sps, pps);
  return ok;
}

bool H264Packetizer::begin_avcc(std::span<const uint8_t> avcc, NalUnit sps, NalUnit pps) noexcept {
  input_count_ = 0;
  AvccReader reader(avcc);
  bool ok = true;
  while (auto nal = reader.next())
    ok = ok && add(*nal);
  if (!ok || reader.failed()) input_count_ = 0;
  finish_begin(sps, pps);
  return ok && !reader.failed();
}

bool H264Packetizer::begin_annexb(std::span<const uint8_t> annexb, NalUnit sps,
                                  NalUnit pps) noexcept {
  input_count_ = 0;
  AnnexBReader reader(annexb);
  bool ok = true;
  while (auto nal = reader.next())
    ok = ok && add(*nal);
  if (!ok) input_count_ = 0;
  finish_begin(sps, pps);
  return ok;
}

void H264Packetizer::finish_begin(NalUnit sps, NalUnit pps) noexcept {
  count_ = index_ = fu_count_ = fu_k_ = fu_offset_ = 0;
  bool in_band_sps = false;
  bool in_band_pps = false;
  keyframe_ = false;
  for (size_t i = 0; i < input_count_; ++i) {
    const uint8_t type = nal_unit_type(input_[i]);
    keyframe_ = keyframe_ || type == nal_type::IdrSlice;
    in_band_sps = in_band_sps || type == nal_type::Sps;
    in_band_pps = in_band_pps || type == nal_type::Pps;
  }
  if (keyframe_) {
    // Parameter sets first, so the first packets of a keyframe form one STAP-A a viewer can
    // join on; in-band ones win because the encoder may have just changed them.
    for (size_t i = 0; i < input_count_; ++i) {
      if (nal_unit_type(input_[i]) == nal_type::Sps) nals_[count_++] = input_[i];
    }
    if (!in_band_sps && !sps.empty()) nals_[count_++] = sps;
    for (size_t i = 0; i < input_count_; ++i) {
      if (nal_unit_type(input_[i]) == nal_type::Pps) nals_[count_++] = input_[i];
    }
    if (!in_band_pps && !pps.empty()) nals_[count_++] = pps;
  }
  for (size_t i = 0; i < input_count_; ++i) {
    const uint8_t type = nal_unit_type(input_[i]);
    if (dropped(type)) continue;
    if (keyframe_ && (type == nal_type::Sps || type == nal_type::Pps)) continue;
    nals_[count_++] = input_[i];
  }
}

std::optional<H264Packetizer::Payload> H264Packetizer::next(std::span<uint8_t> out) noexcept {
  if (done() || out.size() < max_payload_) return std::nullopt;
  size_t size = 0;
  if (fu_count_ > 0 || nals_[index_].size() > max_payload_) {
    size = write_fu_a(out);
  } else {
    const size_t end = aggregation_end();
    size = end - index_ >= 2 ? write_stap_a(out, end) : write_single(out);
  }
  return Payload{size, done()};
}

size_t H264Packetizer::aggregation_end() const noexcept {
  size_t total = StapAHeaderSize;
  size_t end = index_;
  while (end < count_ && total + StapASizeField + nals_[end].size() <= max_payload_) {
    total += StapASizeField + nals_[end].size();
    ++end;
  }
  return end;
}

size_t H264Packetizer::write_single(std::span<uint8_t> out) noexcept {
  // RFC 6184 5.6: the NAL unit itself is the payload.
  const NalUnit nal = nals_[index_++];
  std::memcpy(out.data(), nal.data(), nal.size());
  return nal.size();
}

size_t H264Packetizer::write_stap_a(std::span<uint8_t> out, size_t end) noexcept {
  // RFC 6184 5.7.1: F is the OR and NRI the maximum over the aggregated units.
  uint8_t f = 0;
  uint8_t nri = 0;
  size_t pos = StapAHeaderSize;
  for (; index_ < end; ++index_) {
    const NalUnit nal = nals_[index_];
    f |= nal[0] & 0x80;
    nri = std::max<uint8_t>(nri, nal[0] & 0x60);
    out[pos] = static_cast<uint8_t>(nal.size() >> 8);
    out[pos + 1] = static_cast<uint8_t>(nal.size());
    std::memcpy(out.data() + pos + StapASizeField, nal.data(), nal.size());
    pos += StapASizeField + nal.size();
  }
  out[0] = static_cast<uint8_t>(f | nri | nal_type::StapA);
  return pos;
}

size_t H264Packetizer::write_fu_a(std::span<uint8_t> out) noexcept {
  const NalUnit nal = nals_[index_];
  const size_t body = nal.size() - 1;  // the NAL header travels in the FU indicator/header
  if (fu_count_ == 0) {
    const size_t room = max_payload_ - FuAHeaderSize;
    fu_count_ = (body + room - 1) / room;
    fu_chunk_ = (body + fu_count_ - 1) / fu_count_;
    fu_k_ = fu_offset_ = 0;
  }
  // Fragments of ceil(body / count) bytes and a last one with the rest (RFC 6184 leaves the
  // split to the sender): the same count as full fragments, no tiny trailing packet, and equal
  // sizes but the last, so the packets of a NAL can leave as one segmentation-offload send.
  const size_t chunk = std::min(fu_chunk_, body - fu_offset_);
  const bool start = fu_k_ == 0;
  const bool end = fu_k_ + 1 == fu_count_;
  out[0] = static_cast<uint8_t>((nal[0] & 0xE0) | nal_type::FuA);  // F and NRI kept
  out[1] = static_cast<uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1F));
  std::memcpy(out.data() + FuAHeaderSize, nal.data() + 1 + fu_offset_, chunk);
  fu_offset_ += chunk;
  ++fu_k_;
  if (end) {
    fu_count_ = fu_k_ = fu_offset_ = 0;
    ++index_;
  }
  return FuAHeaderSize + chunk;
}

}  // namespace webrtc::rtp
