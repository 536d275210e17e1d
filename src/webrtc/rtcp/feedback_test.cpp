#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/fir.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/pli.hpp"
#include "webrtc/rtcp/remb.hpp"
#include "webrtc/rtcp/rtcp_test_support.hpp"
#include "webrtc/rtcp/transport_cc.hpp"

namespace webrtc::rtcp {
namespace {

using test::Bytes;
using test::fixture;
using test::packets;

TEST(GenericNack, ParsesChromeNackAndExpandsBlp) {
  const Bytes b = fixture("chrome_rr_nack.bin");
  auto ps = packets(b);
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_FALSE(GenericNack::parse(ps[0]));
  auto nack = GenericNack::parse(ps[1]);
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->sender_ssrc(), 1u);
  EXPECT_EQ(nack->media_ssrc(), 0x5A5A5A5Au);
  ASSERT_EQ(nack->item_count(), 1u);
  EXPECT_EQ(nack->item(0), (NackItem{0x1000, 0x8005}));
  uint16_t seqs[20];
  ASSERT_EQ(nack->expand(seqs), 4u);
  EXPECT_EQ(std::vector<uint16_t>(seqs, seqs + 4),
            (std::vector<uint16_t>{0x1000, 0x1001, 0x1003, 0x1010}));
  EXPECT_EQ(nack->expand(std::span(seqs).first(2)), 2u);  // bounded by the caller
  Bytes out(nack->size());
  ASSERT_EQ(nack->write_to(out), 16u);
  EXPECT_EQ(out, Bytes(b.begin() + 8, b.end()));
}

TEST(GenericNack, PacksAcrossWrapAndRoundTrips) {
  const uint16_t lost[] = {65534, 65535, 0, 5, 15, 16, 40, 40, 41};
  NackItem items[8];
  const size_t n = GenericNack::pack(lost, items);
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(items[0], (NackItem{65534, 0b0000'0000'0100'0011}));  // +1, +2, +7
  EXPECT_EQ(items[1], (NackItem{15, 0b1}));
  EXPECT_EQ(items[2], (NackItem{40, 0b1}));
  GenericNack nack(7, 9, std::span(items, n));
  Bytes out(nack.size());
  ASSERT_EQ(nack.write_to(out), 12u + 12);
  CompoundReader r(out);
  auto back = GenericNack::parse(*r.next());
  ASSERT_TRUE(back);
  uint16_t seqs[32];
  const size_t count = back->expand(seqs);
  EXPECT_EQ(std::vector<uint16_t>(seqs, seqs + count),
            (std::vector<uint16_t>{65534, 65535, 0, 5, 15, 16, 40, 41}));
  EXPECT_EQ(GenericNack::pack(lost, std::span(items, 1)), 1u);  // bounded output
  EXPECT_EQ(GenericNack(1, 2, {}).write_to(out), 0u);           // no items: nothing to send
}

TEST(GenericNack, RejectsEmptyOrRaggedFci) {
  Bytes b = {0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};  // no FCI
  EXPECT_FALSE(GenericNack::parse(packets(b)[0]));
  b = {0x81, 0xCD, 0x00, 0x01, 0, 0, 0, 1};  // no media SSRC
  EXPECT_FALSE(GenericNack::parse(packets(b)[0]));
}

TEST(Pli, ParsesAndRoundTrips) {
  const Bytes b = fixture("chrome_rr_pli_fir.bin");
  auto ps = packets(b);
  ASSERT_EQ(ps.size(), 3u);
  auto pli = Pli::parse(ps[1]);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->sender_ssrc, 1u);
  EXPECT_EQ(pli->media_ssrc, 0x5A5A5A5Au);
  EXPECT_FALSE(Pli::parse(ps[2]));  // FIR is not a PLI
  Bytes out(12);
  ASSERT_EQ((Pli{3, 4}).write_to(out), 12u);
  EXPECT_EQ(out, (Bytes{0x81, 0xCE, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4}));
  EXPECT_EQ((Pli{3, 4}).write_to(std::span(out).first(11)), 0u);
}

TEST(Fir, ParsesAndRoundTrips) {
  const Bytes b = fixture("chrome_rr_pli_fir.bin");
  auto ps = packets(b);
  auto fir = Fir::parse(ps[2]);
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->sender_ssrc(), 1u);
  ASSERT_EQ(fir->entry_count(), 1u);
  EXPECT_EQ(fir->entry(0), (FirEntry{0x5A5A5A5A, 7}));
  EXPECT_FALSE(Fir::parse(ps[1]));
  const FirEntry entries[] = {{0x11, 1}, {0x22, 255}};
  Fir mine(5, entries);
  Bytes out(mine.size());
  ASSERT_EQ(mine.write_to(out), 28u);
  auto back = Fir::parse(packets(out)[0]);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->entry(1), entries[1]);
  Bytes ragged = {0x84, 0xCE, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9};  // half an entry
  EXPECT_FALSE(Fir::parse(packets(ragged)[0]));
}

TEST(Remb, ParsesChromeEstimate) {
  const Bytes b = fixture("chrome_rr_remb.bin");
  auto ps = packets(b);
  ASSERT_EQ(ps.size(), 2u);
  auto remb = Remb::parse(ps[1]);
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->sender_ssrc(), 1u);
  EXPECT_EQ(remb->bitrate_bps(), 2500000u);
  ASSERT_EQ(remb->ssrc_count(), 1u);
  EXPECT_EQ(remb->ssrc(0), 0x5A5A5A5Au);
  EXPECT_EQ(remb->ssrc(1), 0u);
}

TEST(Remb, RejectsMalformedAndSaturates) {
  Bytes b = fixture("chrome_rr_remb.bin");
  Bytes remb(b.begin() + 32, b.end());
  remb[12] = 'X';  // not 'REMB': some other application feedback
  EXPECT_FALSE(Remb::parse(packets(remb)[0]));
  remb[12] = 'R';
  remb[16] = 2;  // two SSRCs announced, one present
  EXPECT_FALSE(Remb::parse(packets(remb)[0]));
  remb[16] = 1;
  remb[17] = 0xFF;  // exponent 63 with a non-zero mantissa
  EXPECT_EQ(Remb::parse(packets(remb)[0])->bitrate_bps(), UINT64_MAX);
}

TEST(TransportCc, ParsesHeader) {
  const Bytes b = fixture("chrome_twcc.bin");
  auto ps = packets(b);
  ASSERT_EQ(ps.size(), 1u);
  auto t = TransportCc::parse(ps[0]);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sender_ssrc, 1u);
  EXPECT_EQ(t->media_ssrc, 0x5A5A5A5Au);
  EXPECT_EQ(t->base_sequence, 100);
  EXPECT_EQ(t->packet_status_count, 5);
  EXPECT_EQ(t->reference_time, 0x000102);
  EXPECT_EQ(t->feedback_count, 3);
  EXPECT_EQ(t->chunks_and_deltas.size(), 7u);  // chunk + 5 deltas, padding stripped
  EXPECT_FALSE(GenericNack::parse(ps[0]));
}

TEST(TransportCc, NegativeReferenceAndTruncation) {
  Bytes b = fixture("chrome_twcc.bin");
  b[16] = 0xFF;
  b[17] = 0xFF;
  b[18] = 0xFE;
  EXPECT_EQ(TransportCc::parse(packets(b)[0])->reference_time, -2);
  Bytes header_only = {0x8F, 0xCD, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 3, 0, 0, 0, 0};
  EXPECT_FALSE(TransportCc::parse(packets(header_only)[0]));  // 3 packets, no chunk
  header_only[15] = 0;                                        // zero packets: nothing to carry
  EXPECT_TRUE(TransportCc::parse(packets(header_only)[0]));
  Bytes cut = {0x8F, 0xCD, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 3};
  EXPECT_FALSE(TransportCc::parse(packets(cut)[0]));
}

}  // namespace
}  // namespace webrtc::rtcp
