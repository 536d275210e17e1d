#include "webrtc/rtcp/ntp_time.hpp"

#include <gtest/gtest.h>

namespace webrtc::rtcp {
namespace {

using namespace std::chrono;

TEST(NtpTime, UnixEpochAndFractions) {
  const system_clock::time_point epoch{};
  EXPECT_EQ(to_ntp(epoch), NtpUnixEpochOffsetSeconds << 32);
  EXPECT_EQ(to_ntp(epoch + milliseconds(500)), (NtpUnixEpochOffsetSeconds << 32) | 0x80000000u);
  EXPECT_EQ(to_ntp(epoch + milliseconds(250)), (NtpUnixEpochOffsetSeconds << 32) | 0x40000000u);
  // 2024-01-01T00:00:00Z = 1704067200 Unix = 3913056000 NTP.
  EXPECT_EQ(to_ntp(epoch + seconds(1704067200)) >> 32, 3913056000u);
}

TEST(NtpTime, RoundTripsToMicroseconds) {
  const auto t = system_clock::time_point(
      duration_cast<system_clock::duration>(seconds(1704067200) + microseconds(123456)));
  const auto back = from_ntp(to_ntp(t));
  EXPECT_LE(std::abs(duration_cast<nanoseconds>(back - t).count()), 1);
}

TEST(NtpTime, CompactForms) {
  EXPECT_EQ(compact_ntp(0x1234567890ABCDEFu), 0x567890ABu);
  EXPECT_EQ(to_compact_ntp(milliseconds(1500)), 0x00018000u);
  EXPECT_EQ(to_compact_ntp(seconds(-1)), 0u);
  EXPECT_EQ(to_compact_ntp(hours(100)), 0xFFFFFFFFu);
}

}  // namespace
}  // namespace webrtc::rtcp
