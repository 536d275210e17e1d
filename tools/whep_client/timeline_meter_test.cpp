#include "whep_client/timeline_meter.hpp"

#include <gtest/gtest.h>

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using TimePoint = TimelineMeter::TimePoint;

// NTP time for `ms` milliseconds (RFC 5905 6: 32.32 fixed point).
uint64_t ntp_of(double ms) {
  const auto s = static_cast<uint64_t>(ms / 1000);
  const double frac = (ms - static_cast<double>(s) * 1000) / 1000;
  return (s << 32) | static_cast<uint64_t>(frac * 4294967296.0);
}

TEST(TimelineMeter, PauseWithMatchingTimestampsAndReports) {
  TimelineMeter m(90000);
  const TimePoint t0{};
  uint32_t ts = 0xFFFF0000;  // wraps during the run
  for (int i = 0; i < 30; ++i) {
    m.on_packet(ts, t0 + i * 33ms);
    m.on_packet(ts, t0 + i * 33ms + 1ms);  // a second packet of the frame
    m.on_sender_report(ntp_of(5000 + i * 33), ts);
    ts += 33 * 90;
  }
  ts += 2000 * 90;  // 2 s pause, stamped as such
  m.on_packet(ts, t0 + 29 * 33ms + 2033ms);
  m.on_sender_report(ntp_of(5000 + 29 * 33 + 2033), ts);
  const auto r = m.result();
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->max_gap_ms, 2032, 0.5);  // from the frame's second packet
  EXPECT_NEAR(r->ts_step_ms, 2033, 0.5);
  EXPECT_LT(r->sr_spread_ms, 0.1);
  EXPECT_EQ(r->reports, 31u);
}

TEST(TimelineMeter, TimestampsThatIgnoreThePauseShowInBoth) {
  TimelineMeter m(48000);
  const TimePoint t0{};
  m.on_packet(1000, t0);
  m.on_sender_report(ntp_of(10000), 1000);
  m.on_packet(1960, t0 + 1500ms);  // one packet later by the timestamps, 1.5 s by the clock
  m.on_sender_report(ntp_of(11500), 1960 + 0);
  const auto r = m.result();
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->max_gap_ms, 1500, 0.1);
  EXPECT_NEAR(r->ts_step_ms, 20, 0.1);
  EXPECT_NEAR(r->sr_spread_ms, 1480, 0.1);
}

TEST(TimelineMeter, NothingBeforeAPacket) {
  TimelineMeter m(90000);
  m.on_sender_report(ntp_of(1), 5);
  EXPECT_FALSE(m.result());
  m.on_packet(5, TimePoint{});
  m.on_packet(4, TimePoint{} + 5s);  // late: no step forward
  ASSERT_TRUE(m.result());
  EXPECT_EQ(m.result()->max_gap_ms, 0);
  m.on_packet(6, TimePoint{} + 5s + 10ms);  // the pause ended at the late packet
  EXPECT_NEAR(m.result()->max_gap_ms, 10, 0.01);
  EXPECT_EQ(m.result()->reports, 0u);
}

}  // namespace
}  // namespace tools::whep_client
