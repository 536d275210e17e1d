#include "webrtc/rtcp/report_block.hpp"

#include <algorithm>

#include "base/byte_reader.hpp"
#include "webrtc/rtcp/detail/span_writer.hpp"

namespace webrtc::rtcp {

std::optional<ReportBlock> ReportBlock::parse(std::span<const uint8_t> in) noexcept {
  base::ByteReader r(in);
  ReportBlock b;
  auto ssrc = r.u32();
  auto lost = r.u32();  // fraction lost (8) + cumulative lost (24, two's complement)
  auto highest = r.u32();
  auto jitter = r.u32();
  auto lsr = r.u32();
  auto dlsr = r.u32();
  if (!dlsr) return std::nullopt;
  b.ssrc = *ssrc;
  b.fraction_lost = static_cast<uint8_t>(*lost >> 24);
  const uint32_t cum = *lost & 0xFFFFFF;
  b.cumulative_lost =
      (cum & 0x800000) ? static_cast<int32_t>(cum) - 0x1000000 : static_cast<int32_t>(cum);
  b.extended_highest_seq = *highest;
  b.jitter = *jitter;
  b.last_sr = *lsr;
  b.delay_since_last_sr = *dlsr;
  return b;
}

size_t ReportBlock::write_to(std::span<uint8_t> out) const noexcept {
  if (out.size() < Size) return 0;
  const int32_t cum = std::clamp(cumulative_lost, MinCumulativeLost, MaxCumulativeLost);
  detail::SpanWriter w(out);
  w.u32(ssrc);
  w.u8(fraction_lost);
  w.u24(static_cast<uint32_t>(cum) & 0xFFFFFF);
  w.u32(extended_highest_seq);
  w.u32(jitter);
  w.u32(last_sr);
  w.u32(delay_since_last_sr);
  return Size;
}

std::optional<std::chrono::microseconds> ReportBlock::round_trip_time(
    uint32_t now_compact_ntp) const noexcept {
  if (last_sr == 0) return std::nullopt;
  // Modulo 2^32 like the compact NTP clock itself; "negative" shows as a huge value.
  const uint32_t rtt = now_compact_ntp - last_sr - delay_since_last_sr;
  if (rtt > 0x80000000u) return std::nullopt;
  return std::chrono::microseconds((uint64_t{rtt} * 1000000) >> 16);
}

ReportBlocks ReportBlocks::from_wire(std::span<const uint8_t> bytes) noexcept {
  ReportBlocks b;
  b.wire_ = bytes.first(bytes.size() - bytes.size() % ReportBlock::Size);
  return b;
}

ReportBlock ReportBlocks::operator[](size_t i) const noexcept {
  if (i >= size()) return {};
  if (!built_.empty()) return built_[i];
  return ReportBlock::parse(wire_.subspan(i * ReportBlock::Size, ReportBlock::Size))
      .value_or(ReportBlock{});
}

size_t ReportBlocks::write_to(std::span<uint8_t> out) const noexcept {
  const size_t n = size() * ReportBlock::Size;
  if (out.size() < n) return 0;
  for (size_t i = 0; i < size(); ++i)
    (*this)[i].write_to(out.subspan(i * ReportBlock::Size));
  return n;
}

}  // namespace webrtc::rtcp
