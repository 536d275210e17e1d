#include "webrtc/rtcp/ntp_time.hpp"

namespace webrtc::rtcp {

uint64_t to_ntp(std::chrono::system_clock::time_point t) noexcept {
  using namespace std::chrono;
  const auto since_unix = duration_cast<nanoseconds>(t.time_since_epoch());
  const auto secs = floor<seconds>(since_unix);
  const uint64_t frac_ns = static_cast<uint64_t>((since_unix - secs).count());
  const uint64_t ntp_secs = static_cast<uint64_t>(secs.count()) + NtpUnixEpochOffsetSeconds;
  // Fraction: ns * 2^32 / 1e9, rounded; ns < 1e9 so the product fits in 64 bits.
  const uint64_t frac = ((frac_ns << 32) + 500000000) / 1000000000;
  return (ntp_secs << 32) + frac;
}

std::chrono::system_clock::time_point from_ntp(uint64_t ntp) noexcept {
  using namespace std::chrono;
  const int64_t secs =
      static_cast<int64_t>(ntp >> 32) - static_cast<int64_t>(NtpUnixEpochOffsetSeconds);
  const uint64_t frac = ntp & 0xFFFFFFFFu;
  const int64_t ns = static_cast<int64_t>((frac * 1000000000 + (uint64_t{1} << 31)) >> 32);
  return system_clock::time_point(
      duration_cast<system_clock::duration>(seconds(secs) + nanoseconds(ns)));
}

uint32_t to_compact_ntp(std::chrono::nanoseconds d) noexcept {
  if (d.count() <= 0) return 0;
  const auto secs = std::chrono::floor<std::chrono::seconds>(d);
  if (secs.count() >= 65536) return 0xFFFFFFFFu;
  const uint64_t frac_ns = static_cast<uint64_t>((d - secs).count());
  return static_cast<uint32_t>(static_cast<uint64_t>(secs.count()) << 16 |
                               ((frac_ns << 16) + 500000000) / 1000000000);
}

}  // namespace webrtc::rtcp
