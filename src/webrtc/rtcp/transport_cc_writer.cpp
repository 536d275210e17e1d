#include "webrtc/rtcp/transport_cc_writer.hpp"

#include <array>
#include <limits>

namespace webrtc::rtcp {
namespace {

// 3.1.1 packet status symbols.
constexpr uint8_t NotReceived = 0;
constexpr uint8_t SmallDelta = 1;
constexpr uint8_t LargeDelta = 2;

constexpr size_t MaxRunLength = 0x1FFF;  // 13 bits (3.1.3)
constexpr size_t TwoBitSymbols = 7;      // 3.1.4, S=1
constexpr size_t OneBitSymbols = 14;     // 3.1.4, S=0

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// Packs symbols into status chunks as Chromium does: symbols wait until the next one fits no
// chunk kind, then the longest chunk the waiting ones allow is written. Long runs of one
// symbol become run length chunks, mixed symbols vectors (one-bit when 14 carry no large
// delta, two-bit otherwise).
class ChunkEncoder {
 public:
  explicit ChunkEncoder(std::vector<uint8_t>& out) : out_(out) {}

  void add(uint8_t symbol) {
    if (!fits(symbol)) write_waiting();
    if (size_ < waiting_.size()) waiting_[size_] = symbol;
    all_same_ = all_same_ && (size_ == 0 || symbol == waiting_[0]);
    has_large_ = has_large_ || symbol == LargeDelta;
    ++size_;
  }

  // Writes what still waits: a run, or one vector zero-filled past the last packet.
  void finish() {
    if (size_ == 0) return;
    if (all_same_) {
      write_run();
    } else if (size_ <= TwoBitSymbols) {
      write_two_bit();
    } else {
      write_one_bit();
    }
    reset();
  }

 private:
  bool fits(uint8_t symbol) const {
    if (size_ < TwoBitSymbols) return true;
    if (size_ < OneBitSymbols && !has_large_ && symbol != LargeDelta) return true;
    return all_same_ && symbol == waiting_[0] && size_ < MaxRunLength;
  }

  void write_waiting() {
    if (all_same_) {
      write_run();
      reset();
    } else if (size_ == OneBitSymbols) {
      write_one_bit();
      reset();
    } else {
      // More than 7 mixed symbols only wait while a one-bit vector is possible; a large delta
      // ends that, so the first 7 go into a two-bit vector and the rest keep waiting.
      write_two_bit();
      const size_t rest = size_ - TwoBitSymbols;
      reset();
      for (size_t i = 0; i < rest; ++i)
        add(waiting_[TwoBitSymbols + i]);
    }
  }

  void write_run() { put_u16(out_, static_cast<uint16_t>((waiting_[0] << 13) | size_)); }
  void write_two_bit() {
    uint16_t chunk = 0xC000;
    for (size_t i = 0; i < TwoBitSymbols && i < size_; ++i)
      chunk = static_cast<uint16_t>(chunk | (waiting_[i] << (12 - 2 * i)));
    put_u16(out_, chunk);
  }
  void write_one_bit() {
    uint16_t chunk = 0x8000;
    for (size_t i = 0; i < OneBitSymbols && i < size_; ++i)
      chunk = static_cast<uint16_t>(chunk | (waiting_[i] << (13 - i)));
    put_u16(out_, chunk);
  }
  void reset() {
    size_ = 0;
    all_same_ = true;
    has_large_ = false;
  }

  std::vector<uint8_t>& out_;
  std::array<uint8_t, OneBitSymbols> waiting_{};  // the first 14 (a longer run repeats [0])
  size_t size_ = 0;
  bool all_same_ = true;
  bool has_large_ = false;
};

// Nearest multiple of 250 us, in 250 us units, rounding halves up.
int64_t to_delta_units(int64_t us) {
  const int64_t shifted = us + TransportCc::DeltaUnitUs / 2;
  const int64_t q = shifted / TransportCc::DeltaUnitUs;
  return (shifted % TransportCc::DeltaUnitUs < 0) ? q - 1 : q;  // floor for negatives
}

}  // namespace

bool build_transport_cc(const TransportCcHeader& header, std::span<const TransportCcPacket> packets,
                        std::vector<uint8_t>& out) {
  if (packets.size() > std::numeric_limits<uint16_t>::max()) return false;
  const size_t start = out.size();
  // RFC 4585 6.1 feedback header and the fixed part of 3.1; the common header comes last.
  out.resize(start + FeedbackHeaderSize);
  for (size_t i = 0; i < 4; ++i) {
    out[start + 4 + i] = static_cast<uint8_t>(header.sender_ssrc >> (24 - 8 * i));
    out[start + 8 + i] = static_cast<uint8_t>(header.media_ssrc >> (24 - 8 * i));
  }
  put_u16(out, header.base_sequence);
  put_u16(out, static_cast<uint16_t>(packets.size()));
  const auto ref = static_cast<uint32_t>(header.reference_time) & 0xFFFFFF;
  put_u16(out, static_cast<uint16_t>(ref >> 8));
  out.push_back(static_cast<uint8_t>(ref));
  out.push_back(header.feedback_count);

  // First pass: quantize, choose symbols, write chunks. The deltas are quantized again in the
  // second pass rather than stored, so nothing but `out` grows.
  ChunkEncoder chunks(out);
  int64_t exact_us = 0;
  int64_t sent_units = 0;
  auto next_units = [&](const TransportCcPacket& p) {
    exact_us += p.delta_us;
    const int64_t total = to_delta_units(exact_us);
    const int64_t units = total - sent_units;
    sent_units = total;
    return units;
  };
  for (size_t i = 0; i < packets.size(); ++i) {
    const auto& p = packets[i];
    if (p.sequence != static_cast<uint16_t>(header.base_sequence + i)) {
      out.resize(start);
      return false;
    }
    if (!p.received) {
      chunks.add(NotReceived);
      continue;
    }
    const int64_t units = next_units(p);
    if (units < std::numeric_limits<int16_t>::min() ||
        units > std::numeric_limits<int16_t>::max()) {
      out.resize(start);
      return false;
    }
    chunks.add(units >= 0 && units <= 0xFF ? SmallDelta : LargeDelta);
  }
  chunks.finish();

  // Second pass: receive deltas (3.1.5).
  exact_us = 0;
  sent_units = 0;
  for (const auto& p : packets) {
    if (!p.received) continue;
    const int64_t units = next_units(p);
    if (units >= 0 && units <= 0xFF) {
      out.push_back(static_cast<uint8_t>(units));
    } else {
      put_u16(out, static_cast<uint16_t>(static_cast<int16_t>(units)));
    }
  }

  // RFC 3550 6.4.1 padding, as Chromium sends it: zeros, then the padding count, P bit set.
  const size_t unpadded = out.size() - start;
  const size_t padding = (4 - unpadded % 4) % 4;
  for (size_t i = 1; i < padding; ++i)
    out.push_back(0);
  if (padding > 0) out.push_back(static_cast<uint8_t>(padding));
  write_header(std::span(out).subspan(start), feedback_format::TransportCc,
               packet_type::RtpFeedback, out.size() - start);
  if (padding > 0) out[start] |= 0x20;
  return true;
}

}  // namespace webrtc::rtcp
