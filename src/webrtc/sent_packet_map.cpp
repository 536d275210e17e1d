#include "webrtc/sent_packet_map.hpp"

#include <algorithm>

namespace webrtc {

SentPacketMap::SentPacketMap(size_t max_runs) : runs_(std::max<size_t>(max_runs, 1)) {}

void SentPacketMap::record(uint16_t viewer_seq, uint16_t stream_seq, uint32_t ts_offset) noexcept {
  if (count_ > 0) {
    auto& last = runs_[(count_ - 1) % runs_.size()];
    const bool follows = viewer_seq == next_viewer_seq_ &&
                         stream_seq == static_cast<uint16_t>(last.stream_seq + last.length) &&
                         ts_offset == last.ts_offset && last.length < UINT16_MAX;
    if (follows) {
      ++last.length;
      ++recorded_;
      next_viewer_seq_ = static_cast<uint16_t>(viewer_seq + 1);
      return;
    }
  }
  runs_[count_ % runs_.size()] = {recorded_, stream_seq, 1, ts_offset};
  ++count_;
  ++recorded_;
  next_viewer_seq_ = static_cast<uint16_t>(viewer_seq + 1);
}

std::optional<SentPacketMap::Entry> SentPacketMap::find(uint16_t viewer_seq) const noexcept {
  // Viewer sequence numbers are consecutive, so the age of a packet (1 = the newest) is its
  // distance from the next one; half the space at most, as RFC 3550 A.1 reasons about wrap.
  const uint32_t age = static_cast<uint16_t>(next_viewer_seq_ - viewer_seq);
  if (count_ == 0 || age == 0 || age >= 0x8000 || age > recorded_) return std::nullopt;
  const uint32_t index = recorded_ - age;  // the packet's place in recording order
  auto since = [&](uint64_t k) { return recorded_ - run_at(k).first; };  // k = 1: newest run
  const uint64_t kept = runs();
  if (since(kept) < age) return std::nullopt;  // older than the oldest remembered run
  uint64_t lo = 1, hi = kept;                  // the newest run that began at or before it
  while (lo < hi) {
    const uint64_t mid = (lo + hi) / 2;
    if (since(mid) >= age)
      hi = mid;
    else
      lo = mid + 1;
  }
  const Run& r = run_at(lo);
  const uint32_t offset = index - r.first;
  if (offset >= r.length) return std::nullopt;
  return Entry{static_cast<uint16_t>(r.stream_seq + offset), r.ts_offset};
}

}  // namespace webrtc
