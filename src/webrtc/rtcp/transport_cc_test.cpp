// TransportCc::decode on hand-made feedback: each chunk kind, a Chromium-shaped packet, wraps,
// negative deltas and every malformed shape. Expected values are worked out beside the bytes.
#include "webrtc/rtcp/transport_cc.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "webrtc/rtcp/rtcp_test_support.hpp"
#include "webrtc/rtcp/transport_cc_test_support.hpp"

namespace webrtc::rtcp {
namespace {

using test::Bytes;
using test::fixture;
using test::packets;
using Packets = std::vector<TransportCcPacket>;

// A feedback from SSRC 1 about 0x5A5A5A5A with `fci` (chunks and deltas) after the fixed part,
// zero-padded to 32 bits without the P bit (the lenient form decode also accepts).
Bytes twcc(uint16_t base, uint16_t count, uint32_t ref24, uint8_t fb_count, const Bytes& fci) {
  Bytes b = {0x8F, 205, 0, 0, 0, 0, 0, 1, 0x5A, 0x5A, 0x5A, 0x5A};
  for (uint8_t v : {base >> 8, base & 0xFF, count >> 8, count & 0xFF})
    b.push_back(static_cast<uint8_t>(v));
  for (uint32_t v : {ref24 >> 16, ref24 >> 8, ref24})
    b.push_back(static_cast<uint8_t>(v));
  b.push_back(fb_count);
  b.insert(b.end(), fci.begin(), fci.end());
  while (b.size() % 4 != 0)
    b.push_back(0);
  const size_t words = b.size() / 4 - 1;
  b[2] = static_cast<uint8_t>(words >> 8);
  b[3] = static_cast<uint8_t>(words);
  return b;
}

std::optional<TransportCc> parse(const Bytes& b) {
  auto ps = packets(b);
  if (ps.size() != 1) return std::nullopt;
  return TransportCc::parse(ps[0]);
}

// Decodes into a buffer of exactly packet_status_count entries.
std::optional<Packets> decode(const Bytes& b) {
  auto t = parse(b);
  if (!t) return std::nullopt;
  Packets out(t->packet_status_count);
  auto n = t->decode(out);
  if (!n) return std::nullopt;
  EXPECT_EQ(*n, out.size());
  return out;
}

TransportCcPacket got(uint16_t seq, int32_t delta_us) {
  return {seq, true, delta_us};
}
TransportCcPacket lost(uint16_t seq) {
  return {seq, false, 0};
}

TEST(TransportCcDecode, RunLengthChunkFromFixture) {
  // chunk 0x2005: T=0, S=01 (small delta), run 5; deltas 04 08 04 04 08 in 250 us.
  auto p = decode(fixture("chrome_twcc.bin"));
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Packets{got(100, 1000), got(101, 2000), got(102, 1000), got(103, 1000),
                         got(104, 2000)}));
}

TEST(TransportCcDecode, RunLengthOfLostPacketsHasNoDeltas) {
  // 0x0003: S=00, run 3 lost; 0x2001: one small delta 0x28 = 10 ms.
  auto p = decode(twcc(7, 4, 0, 0, {0x00, 0x03, 0x20, 0x01, 0x28}));
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Packets{lost(7), lost(8), lost(9), got(10, 10'000)}));
}

TEST(TransportCcDecode, OneBitVectorChunk) {
  // 0xAC01 = 1 0 10110000000001: T=1, S=0, symbols (first in bit 13) 1 0 1 1 0 0 0 0 0 0 0 0 0 1
  // -> received 0, 2, 3, 13 with small deltas 0x01 0x02 0xFF 0x00 = 250, 500, 63750, 0 us.
  auto p = decode(twcc(500, 14, 0, 0, {0xAC, 0x01, 0x01, 0x02, 0xFF, 0x00}));
  ASSERT_TRUE(p);
  Packets want;
  for (uint16_t i = 0; i < 14; ++i)
    want.push_back(lost(static_cast<uint16_t>(500 + i)));
  want[0] = got(500, 250);
  want[2] = got(502, 500);
  want[3] = got(503, 63'750);
  want[13] = got(513, 0);
  EXPECT_EQ(*p, want);
}

TEST(TransportCcDecode, TwoBitVectorChunkWithNegativeLargeDelta) {
  // 0xD860 = 11 01 10 00 01 10 00 00: T=1, S=1, symbols 1 2 0 1 2 (0 0 past the count).
  // Deltas: small 0x10 = 4 ms; large 0xFF38 = -200 -> -50 ms (arrived before its predecessor);
  // lost; small 0x00 = 0; large 0x7FFF = 32767 -> 8191.75 ms.
  auto p = decode(twcc(1, 5, 0, 0, {0xD8, 0x60, 0x10, 0xFF, 0x38, 0x00, 0x7F, 0xFF}));
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Packets{got(1, 4000), got(2, -50'000), lost(3), got(4, 0), got(5, 8'191'750)}));
}

// Chunks of all three kinds and 16-bit wrap; octets in transport_cc_test_support.hpp.
const Bytes ChromeShaped = fixture("chrome_twcc_wrap.bin");
const Packets ChromeShapedPackets = test::chrome_twcc_wrap_packets();

TEST(TransportCcDecode, ChromeShapedFeedbackAcrossSequenceWrap) {
  auto t = parse(ChromeShaped);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->reference_time, 0x1F4A);
  EXPECT_EQ(t->feedback_count, 9);
  auto p = decode(ChromeShaped);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, ChromeShapedPackets);
}

TEST(TransportCcDecode, RunMayOvershootTheCountAndLargerSpansAreFine) {
  // Run of 10 small deltas for a count of 2: only two deltas follow.
  const Bytes b = twcc(3, 2, 0, 0, {0x20, 0x0A, 0x04, 0x04});
  auto t = parse(b);
  ASSERT_TRUE(t);
  TransportCcPacket out[8];
  ASSERT_EQ(t->decode(out), 2u);
  EXPECT_EQ(out[1], got(4, 1000));
}

TEST(TransportCcParse, RejectsAFixedPartCutByPadding) {
  // Found by rtcp_fuzz: P bit with 3 padding octets leaves 17 octets, cutting the reference
  // time after one octet while the feedback count octet could still be read.
  const Bytes b = {0xAF, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3};
  auto ps = packets(b);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_FALSE(TransportCc::parse(ps[0]));
}

TEST(TransportCcDecode, ZeroPacketsDecodeToNothing) {
  const Bytes b = twcc(3, 0, 0, 0, {});
  auto t = parse(b);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->decode({}), 0u);
}

// Decodes `fci` as the chunks and deltas of a feedback for `count` packets, without the
// zero padding of twcc() hiding a truncation.
std::optional<size_t> decode_fci(uint16_t count, const Bytes& fci) {
  TransportCc t;
  t.packet_status_count = count;
  t.chunks_and_deltas = fci;
  Packets out(count);
  return t.decode(out);
}

TEST(TransportCcDecode, RejectsMalformed) {
  EXPECT_EQ(decode_fci(4, {0x20, 0x02, 0x20, 0x02, 0x04, 0x04, 0x04, 0x04}), 4u);  // the base
  // Truncated chunk: one octet where the second chunk should be.
  EXPECT_FALSE(decode_fci(4, {0x20, 0x02, 0x20}));
  // Count larger than the chunks cover.
  EXPECT_FALSE(decode_fci(3, {0x20, 0x02}));  // a run of 2 for 3 packets, nothing more
  EXPECT_FALSE(decode_fci(3, {}));
  // Truncated deltas: four small deltas announced, three present; a large delta cut in half.
  EXPECT_FALSE(decode_fci(4, {0x20, 0x04, 0x04, 0x04, 0x04}));
  EXPECT_FALSE(decode_fci(1, {0x40, 0x01, 0x00}));
  // Symbol 3 in a run length chunk (0x6001) and in a two-bit vector (0xF000: first symbol 3).
  EXPECT_FALSE(decode_fci(1, {0x60, 0x01, 0x04}));
  EXPECT_FALSE(decode_fci(1, {0xF0, 0x00, 0x04}));
  // Symbol 3 past the count in the last vector is ignored (0xD003: seventh symbol 3).
  EXPECT_EQ(decode_fci(1, {0xD0, 0x03, 0x04}), 1u);
  // At most 3 octets after the deltas.
  EXPECT_EQ(decode_fci(1, {0x20, 0x01, 0x04, 0, 0, 0}), 1u);
  EXPECT_FALSE(decode_fci(1, {0x20, 0x01, 0x04, 0, 0, 0, 0}));
}

TEST(TransportCcDecode, SpanTooSmallIsRefused) {
  auto t = parse(ChromeShaped);
  ASSERT_TRUE(t);
  Packets out(19);
  EXPECT_FALSE(t->decode(out));
  EXPECT_FALSE(t->decode({}));
}

TEST(TransportCcDecode, EveryTruncationOfChromeShapedFails) {
  auto t = parse(ChromeShaped);
  ASSERT_TRUE(t);
  Packets out(20);
  // Dropping any of the 25 chunk and delta octets leaves too few.
  for (size_t keep = 0; keep < 25; ++keep) {
    TransportCc cut = *t;
    cut.chunks_and_deltas = t->chunks_and_deltas.first(keep);
    EXPECT_FALSE(cut.decode(out)) << keep;
  }
}

}  // namespace
}  // namespace webrtc::rtcp
