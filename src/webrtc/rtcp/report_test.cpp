#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/ntp_time.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/rtcp_test_support.hpp"
#include "webrtc/rtcp/sender_report.hpp"

namespace webrtc::rtcp {
namespace {

using test::Bytes;
using test::fixture;

RtcpPacket first_packet(const Bytes& b) {
  CompoundReader r(b);
  auto p = r.next();
  EXPECT_TRUE(p);
  return p.value_or(RtcpPacket{});
}

TEST(ReceiverReport, ParsesChromeReportBlock) {
  const Bytes b = fixture("chrome_rr_remb.bin");
  auto rr = ReceiverReport::parse(first_packet(b));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc, 1u);
  ASSERT_EQ(rr->report_blocks.size(), 1u);
  const ReportBlock blk = rr->report_blocks[0];
  EXPECT_EQ(blk.ssrc, 0x5A5A5A5Au);
  EXPECT_EQ(blk.fraction_lost, 10);
  EXPECT_EQ(blk.cumulative_lost, 5);
  EXPECT_EQ(blk.extended_highest_seq, 0x12345u);
  EXPECT_EQ(blk.jitter, 258u);
  EXPECT_EQ(blk.last_sr, 0xABCD1234u);
  EXPECT_EQ(blk.delay_since_last_sr, 0x10000u);
  EXPECT_EQ(rr->report_blocks[1], ReportBlock{});  // out of range
  EXPECT_FALSE(SenderReport::parse(first_packet(b)));
}

TEST(ReceiverReport, RoundTripsAndRejectsShortBodies) {
  const ReportBlock blocks[] = {{7, 255, -3, 0xFFFF0001, 9, 1, 2},
                                {8, 0, ReportBlock::MaxCumulativeLost, 1, 2, 3, 4}};
  ReceiverReport rr{99, ReportBlocks(blocks)};
  Bytes out(rr.size());
  EXPECT_EQ(rr.write_to(std::span(out).first(out.size() - 1)), 0u);
  ASSERT_EQ(rr.write_to(out), 4u + 4 + 48);
  EXPECT_EQ(out[0], 0x82);
  EXPECT_EQ(out[1], 201);
  EXPECT_EQ(out[3], 13);  // 56 bytes = 14 words
  // Cumulative lost -3 in 24-bit two's complement.
  EXPECT_EQ(out[13], 0xFF);
  EXPECT_EQ(out[14], 0xFF);
  EXPECT_EQ(out[15], 0xFD);
  auto back = ReceiverReport::parse(first_packet(out));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sender_ssrc, 99u);
  EXPECT_EQ(back->report_blocks[0], blocks[0]);
  EXPECT_EQ(back->report_blocks[1], blocks[1]);
  // RC says 2 blocks but the packet holds one: rejected.
  out[0] = 0x83;
  EXPECT_FALSE(ReceiverReport::parse(first_packet(out)));
}

TEST(ReportBlock, ClampsCumulativeLost) {
  ReportBlock b;
  b.cumulative_lost = 100000000;
  uint8_t out[24];
  ASSERT_EQ(b.write_to(out), 24u);
  EXPECT_EQ(ReportBlock::parse(out)->cumulative_lost, ReportBlock::MaxCumulativeLost);
  b.cumulative_lost = -100000000;
  b.write_to(out);
  EXPECT_EQ(ReportBlock::parse(out)->cumulative_lost, ReportBlock::MinCumulativeLost);
  EXPECT_FALSE(ReportBlock::parse(std::span(out).first(23)));
}

TEST(ReportBlock, RoundTripTime) {
  ReportBlock b;
  b.last_sr = 0x00010000;              // we sent the SR at 1.0 s (compact NTP)
  b.delay_since_last_sr = 0x00008000;  // the viewer held it 0.5 s
  // Report arrives at 1.75 s: RTT = 0.25 s.
  EXPECT_EQ(b.round_trip_time(0x0001C000), std::chrono::microseconds(250000));
  EXPECT_EQ(b.round_trip_time(0x00018000), std::chrono::microseconds(0));
  EXPECT_FALSE(b.round_trip_time(0x00017000));  // negative
  b.last_sr = 0;
  EXPECT_FALSE(b.round_trip_time(0x0001C000));  // no SR seen yet
  // Across the 2^32 wrap of the compact clock.
  b.last_sr = 0xFFFFF000;
  b.delay_since_last_sr = 0x1000;
  EXPECT_EQ(b.round_trip_time(0x00000800), std::chrono::microseconds(31250));  // 0x800 / 65536 s
  // With real NTP conversions.
  const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  b.last_sr = compact_ntp(to_ntp(t0));
  b.delay_since_last_sr = to_compact_ntp(std::chrono::milliseconds(100));
  auto rtt = b.round_trip_time(compact_ntp(to_ntp(t0 + std::chrono::milliseconds(140))));
  ASSERT_TRUE(rtt);
  EXPECT_NEAR(static_cast<double>(rtt->count()), 40000, 50);
}

TEST(SenderReport, ParsesFixtureAndRoundTrips) {
  const Bytes b = fixture("sr_sdes_bye.bin");
  auto sr = SenderReport::parse(first_packet(b));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_ssrc, 0x5A5A5A5Au);
  EXPECT_EQ(sr->ntp_timestamp, 0xE8F2A4B180000000u);
  EXPECT_EQ(sr->rtp_timestamp, 0x12D687u);
  EXPECT_EQ(sr->packet_count, 1234u);
  EXPECT_EQ(sr->octet_count, 1000000u);
  ASSERT_EQ(sr->report_blocks.size(), 1u);
  EXPECT_EQ(sr->report_blocks[0].ssrc, 1u);
  Bytes out(sr->size());
  ASSERT_EQ(sr->write_to(out), 52u);
  EXPECT_EQ(out, Bytes(b.begin(), b.begin() + 52));  // byte exact

  SenderReport mine;  // what our SR stage sends: no report blocks
  mine.sender_ssrc = 0x01020304;
  mine.ntp_timestamp = to_ntp(std::chrono::system_clock::time_point(std::chrono::seconds(0)));
  EXPECT_EQ(mine.size(), 28u);
  Bytes small(mine.size());
  ASSERT_EQ(mine.write_to(small), 28u);
  EXPECT_EQ(small[0], 0x80);
  EXPECT_EQ(small[3], 6);
  auto back = SenderReport::parse(first_packet(small));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->ntp_timestamp >> 32, NtpUnixEpochOffsetSeconds);

  Bytes truncated(b.begin(), b.begin() + 52);
  truncated[3] = 5;  // 24 bytes: cuts the sender info
  EXPECT_FALSE(SenderReport::parse(first_packet(truncated)));
}

TEST(SenderReport, RefusesTooManyBlocks) {
  std::vector<ReportBlock> blocks(32);
  SenderReport sr;
  sr.report_blocks = ReportBlocks(blocks);
  Bytes out(sr.size());
  EXPECT_EQ(sr.write_to(out), 0u);
  ReceiverReport rr{1, ReportBlocks(blocks)};
  EXPECT_EQ(rr.write_to(out), 0u);
}

}  // namespace
}  // namespace webrtc::rtcp
