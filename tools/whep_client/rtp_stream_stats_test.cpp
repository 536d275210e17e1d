#include "whep_client/rtp_stream_stats.hpp"

#include <gtest/gtest.h>

namespace tools::whep_client {
namespace {

using namespace std::chrono_literals;
using Time = RtpStreamStats::TimePoint;
const Time T0 = Time{} + 1h;

TEST(RtpStreamStats, CountsLossAcrossSequenceWrap) {
  RtpStreamStats s(1, 90000);
  for (uint32_t i = 0; i < 20; ++i) {
    const auto seq = static_cast<uint16_t>(65530 + i);
    if (seq == 65535 || seq == 2) continue;  // two lost, one on each side of the wrap
    EXPECT_TRUE(s.on_packet(seq, i * 3000, T0 + i * 33ms));
  }
  EXPECT_EQ(s.received(), 18u);
  EXPECT_EQ(s.expected(), 20u);
  EXPECT_EQ(s.lost(), 2u);
  EXPECT_EQ(s.extended_highest(), 0x10000u + 13u);
}

TEST(RtpStreamStats, LatePacketReducesLossAndDuplicatesDoNotGoNegative) {
  RtpStreamStats s(1, 90000);
  s.on_packet(100, 0, T0);
  s.on_packet(102, 0, T0);
  EXPECT_EQ(s.lost(), 1u);
  s.on_packet(101, 0, T0);  // reordered or retransmitted
  EXPECT_EQ(s.lost(), 0u);
  s.on_packet(101, 0, T0);  // duplicate
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.make_report_block(T0).cumulative_lost, -1);  // RFC 3550 6.4.1 allows negative
}

TEST(RtpStreamStats, FractionLostIsPerInterval) {
  RtpStreamStats s(7, 48000);
  for (uint16_t seq = 0; seq < 8; ++seq) {
    if (seq % 4 != 1) s.on_packet(seq, seq * 960u, T0);  // 1 and 5 lost
  }
  auto b = s.make_report_block(T0);
  EXPECT_EQ(b.ssrc, 7u);
  EXPECT_EQ(b.fraction_lost, 256 * 2 / 8);
  EXPECT_EQ(b.cumulative_lost, 2);
  EXPECT_EQ(b.extended_highest_seq, 7u);
  for (uint16_t seq = 8; seq < 16; ++seq)
    s.on_packet(seq, seq * 960u, T0);
  b = s.make_report_block(T0);
  EXPECT_EQ(b.fraction_lost, 0);  // nothing lost in this interval
  EXPECT_EQ(b.cumulative_lost, 2);
}

TEST(RtpStreamStats, JitterIsZeroForPerfectPacingAndGrowsWithVariation) {
  RtpStreamStats steady(1, 90000);
  for (uint32_t i = 0; i < 50; ++i)
    steady.on_packet(static_cast<uint16_t>(i), i * 3000, T0 + i * 33333us);
  EXPECT_LE(steady.jitter(), 1u);
  RtpStreamStats bumpy(1, 90000);
  for (uint32_t i = 0; i < 50; ++i) {
    const auto wobble = (i % 2 == 0) ? 0ms : 10ms;  // 900 ticks of variation
    bumpy.on_packet(static_cast<uint16_t>(i), i * 3000, T0 + i * 33333us + wobble);
  }
  EXPECT_GT(bumpy.jitter(), 400u);
  EXPECT_LT(bumpy.jitter(), 1000u);
}

TEST(RtpStreamStats, LargeJumpIsAStrayUntilConfirmed) {
  RtpStreamStats s(1, 90000);
  s.on_packet(100, 0, T0);
  EXPECT_FALSE(s.on_packet(30000, 0, T0));  // stray
  EXPECT_EQ(s.received(), 1u);
  EXPECT_TRUE(s.on_packet(30001, 0, T0));  // confirmed: the source restarted
  EXPECT_EQ(s.received(), 1u);
  EXPECT_EQ(s.lost(), 0u);
}

TEST(RtpStreamStats, ReportsLsrAndDlsrFromTheLastSenderReport) {
  RtpStreamStats s(1, 90000);
  s.on_packet(1, 0, T0);
  EXPECT_EQ(s.make_report_block(T0).last_sr, 0u);
  s.on_sender_report(0xE8F2A4B180000000ull, T0);
  const auto b = s.make_report_block(T0 + 500ms);
  EXPECT_EQ(b.last_sr, 0xA4B18000u);
  EXPECT_EQ(b.delay_since_last_sr, 32768u);
}

}  // namespace
}  // namespace tools::whep_client
