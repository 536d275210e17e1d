#pragma once
// NTP timestamps as RTCP uses them (RFC 3550 4): 64-bit fixed point, seconds since
// 1900-01-01 in the high 32 bits. Callers pass the time point; nothing here reads a clock.
#include <chrono>
#include <cstdint>

namespace webrtc::rtcp {

constexpr uint64_t NtpUnixEpochOffsetSeconds = 2208988800u;  // 1900-01-01 to 1970-01-01

uint64_t to_ntp(std::chrono::system_clock::time_point t) noexcept;
std::chrono::system_clock::time_point from_ntp(uint64_t ntp) noexcept;

// The middle 32 bits (16.16 seconds): the unit of LSR, DLSR and RTT (RFC 3550 6.4.1).
constexpr uint32_t compact_ntp(uint64_t ntp) noexcept {
  return static_cast<uint32_t>(ntp >> 16);
}
// A duration in compact NTP units (1/65536 s), e.g. for DLSR; saturates at 2^32 - 1.
uint32_t to_compact_ntp(std::chrono::nanoseconds d) noexcept;

}  // namespace webrtc::rtcp
