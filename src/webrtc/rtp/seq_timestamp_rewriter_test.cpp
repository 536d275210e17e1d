#include "webrtc/rtp/seq_timestamp_rewriter.hpp"

#include <gtest/gtest.h>

namespace webrtc::rtp {
namespace {

TEST(SeqTimestampRewriter, StartsAtInitialValuesAndFollowsStream) {
  SeqTimestampRewriter r(500, 1000000);
  EXPECT_FALSE(r.started());
  auto a = r.map(20000, 90000);
  EXPECT_EQ(a.seq, 500);
  EXPECT_EQ(a.timestamp, 1000000u);
  auto b = r.map(20001, 93000);
  EXPECT_EQ(b.seq, 501);
  EXPECT_EQ(b.timestamp, 1003000u);
  auto gap = r.map(20005, 96000);  // a stream-side gap stays a gap (the viewer may NACK it)
  EXPECT_EQ(gap.seq, 505);
  EXPECT_EQ(r.to_stream_seq(503), 20003);
}

TEST(SeqTimestampRewriter, WrapsBothSpaces) {
  SeqTimestampRewriter r(65534, 0xFFFFF000u);
  r.map(10, 0);
  auto b = r.map(11, 3000);
  auto c = r.map(12, 6000);
  EXPECT_EQ(b.seq, 65535);
  EXPECT_EQ(c.seq, 0);
  EXPECT_EQ(c.timestamp, 0xFFFFF000u + 6000);  // wrapped modulo 2^32
  EXPECT_EQ(r.last_seq(), 0);
  // Stream-side wrap.
  SeqTimestampRewriter s(100, 5);
  s.map(65535, 0xFFFFFFFFu);
  auto d = s.map(0, 2999);
  EXPECT_EQ(d.seq, 101);
  EXPECT_EQ(d.timestamp, 5u + 3000);
}

TEST(SeqTimestampRewriter, ContinuesAcrossPublisherRestart) {
  SeqTimestampRewriter r(1000, 50000, 3000);
  r.map(7000, 900000);
  r.map(7001, 903000);
  r.mark_discontinuity();
  // The new publisher starts from unrelated values.
  auto a = r.map(3, 12345);
  EXPECT_EQ(a.seq, 1002);
  EXPECT_EQ(a.timestamp, 53000u + 3000);
  auto b = r.map(4, 12345 + 1500);
  EXPECT_EQ(b.seq, 1003);
  EXPECT_EQ(b.timestamp, 56000u + 1500);
  EXPECT_EQ(r.to_stream_seq(1003), 4);
}

TEST(SeqTimestampRewriter, SkipClosesSequenceGapButKeepsClock) {
  SeqTimestampRewriter r(10, 0);
  r.map(100, 9000);
  r.map(101, 12000);
  r.mark_skip();
  auto a = r.map(250, 60000);
  EXPECT_EQ(a.seq, 12);
  EXPECT_EQ(a.timestamp, 60000u - 9000u);
}

TEST(SeqTimestampRewriter, RetransmissionDoesNotMoveContinuationPoint) {
  SeqTimestampRewriter r(0, 0);
  r.map(50, 0);
  r.map(51, 3000);
  auto old = r.map(50, 0);  // NACKed packet sent again
  EXPECT_EQ(old.seq, 0);
  EXPECT_EQ(r.last_seq(), 1);
  EXPECT_EQ(r.last_timestamp(), 3000u);
  r.mark_discontinuity();
  EXPECT_EQ(r.map(9, 9).seq, 2);
}

}  // namespace
}  // namespace webrtc::rtp
