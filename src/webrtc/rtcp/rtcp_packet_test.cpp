#include "webrtc/rtcp/rtcp_packet.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "webrtc/rtcp/bye.hpp"
#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/fir.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/pli.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/remb.hpp"
#include "webrtc/rtcp/sdes.hpp"
#include "webrtc/rtcp/sender_report.hpp"
#include "webrtc/rtcp/transport_cc.hpp"

namespace webrtc::rtcp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes fixture(const std::string& name) {
  std::ifstream f(std::string(AIRCLASS_TEST_DATA "/rtcp/") + name, std::ios::binary);
  Bytes b{std::istreambuf_iterator<char>(f), {}};
  EXPECT_FALSE(b.empty()) << name;
  return b;
}

std::vector<std::pair<uint8_t, uint8_t>> shapes(const Bytes& in, bool* failed) {
  std::vector<std::pair<uint8_t, uint8_t>> out;
  CompoundReader r(in);
  while (auto p = r.next())
    out.emplace_back(p->type, p->count);
  *failed = r.failed();
  return out;
}

TEST(RtcpPacket, ClassifierFollowsRfc5761) {
  const Bytes rr = fixture("chrome_rr_nack.bin");
  EXPECT_TRUE(is_rtcp(rr));
  Bytes b = rr;
  b[1] = 96;  // RTP payload type
  EXPECT_FALSE(is_rtcp(b));
  b[1] = 191;
  EXPECT_FALSE(is_rtcp(b));
  b[1] = 224;
  EXPECT_FALSE(is_rtcp(b));
  b = rr;
  b[0] = 0x41;  // version 1
  EXPECT_FALSE(is_rtcp(b));
  EXPECT_FALSE(is_rtcp(std::span(rr).first(3)));
}

TEST(CompoundReader, IteratesChromeCompounds) {
  bool failed = true;
  EXPECT_EQ(shapes(fixture("chrome_rr_remb.bin"), &failed),
            (std::vector<std::pair<uint8_t, uint8_t>>{{201, 1}, {206, 15}}));
  EXPECT_FALSE(failed);
  EXPECT_EQ(shapes(fixture("chrome_rr_pli_fir.bin"), &failed),
            (std::vector<std::pair<uint8_t, uint8_t>>{{201, 0}, {206, 1}, {206, 4}}));
  EXPECT_FALSE(failed);
  EXPECT_EQ(shapes(fixture("sr_sdes_bye.bin"), &failed),
            (std::vector<std::pair<uint8_t, uint8_t>>{{200, 1}, {202, 1}, {203, 1}}));
  EXPECT_FALSE(failed);
}

TEST(CompoundReader, PaddingIsStrippedFromTheBody) {
  const Bytes twcc = fixture("chrome_twcc.bin");
  CompoundReader r(twcc);
  auto p = r.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->bytes.size(), 27u);
  EXPECT_FALSE(r.next());
  EXPECT_FALSE(r.failed());
}

TEST(CompoundReader, RejectsMalformed) {
  const Bytes good = fixture("chrome_rr_remb.bin");
  bool failed = false;
  // Truncated second packet: the first is still delivered.
  EXPECT_EQ(shapes(Bytes(good.begin(), good.end() - 4), &failed).size(), 1u);
  EXPECT_TRUE(failed);
  Bytes b = good;
  b[3] = 0x40;  // length past the end
  EXPECT_TRUE(shapes(b, &failed).empty());
  EXPECT_TRUE(failed);
  b = good;
  b[0] = 0x01;  // version 0
  EXPECT_TRUE(shapes(b, &failed).empty());
  EXPECT_TRUE(failed);
  b = fixture("chrome_twcc.bin");
  b.back() = 0;  // padding count 0
  EXPECT_TRUE(shapes(b, &failed).empty());
  b.back() = 40;  // padding past the body
  EXPECT_TRUE(shapes(b, &failed).empty());
  EXPECT_TRUE(failed);
  EXPECT_TRUE(shapes(Bytes{0x80, 0xC9}, &failed).empty());
  EXPECT_TRUE(failed);
}

// Tries every parser on a packet and, where a writer exists, checks parse -> write -> parse.
size_t parse_all(const RtcpPacket& p) {
  size_t ok = 0;
  Bytes out(70000);
  auto reparse = [&](size_t n) {
    EXPECT_GT(n, 0u);
    size_t consumed = 0;
    auto again = RtcpPacket::parse(std::span(out).first(n), consumed);
    EXPECT_TRUE(again);
    EXPECT_EQ(consumed, n);
    return again;
  };
  if (auto sr = SenderReport::parse(p)) {
    ++ok;
    auto again = reparse(sr->write_to(out));
    EXPECT_EQ(SenderReport::parse(*again)->report_blocks.size(), sr->report_blocks.size());
  }
  if (auto rr = ReceiverReport::parse(p)) {
    ++ok;
    auto again = reparse(rr->write_to(out));
    for (size_t i = 0; i < rr->report_blocks.size(); ++i) {
      EXPECT_EQ(ReceiverReport::parse(*again)->report_blocks[i], rr->report_blocks[i]);
    }
  }
  if (auto s = Sdes::parse(p)) {
    ++ok;
    for (size_t i = 0; i < s->chunk_count(); ++i)
      (void)s->chunk(i);
    if (s->write_to(out) > 0) {
      EXPECT_TRUE(Sdes::parse(*reparse(s->size())));
    }
  }
  if (auto b = Bye::parse(p)) {
    ++ok;
    auto again = reparse(b->write_to(out));
    EXPECT_EQ(Bye::parse(*again)->reason(), b->reason());
  }
  if (auto n = GenericNack::parse(p)) {
    ++ok;
    uint16_t seqs[64];
    EXPECT_LE(n->expand(seqs), 64u);
    auto again = reparse(n->write_to(out));
    EXPECT_EQ(GenericNack::parse(*again)->item_count(), n->item_count());
  }
  if (auto pli = Pli::parse(p)) {
    ++ok;
    EXPECT_TRUE(Pli::parse(*reparse(pli->write_to(out))));
  }
  if (auto f = Fir::parse(p)) {
    ++ok;
    EXPECT_EQ(Fir::parse(*reparse(f->write_to(out)))->entry_count(), f->entry_count());
  }
  if (auto r = Remb::parse(p)) {
    ++ok;
    for (size_t i = 0; i < r->ssrc_count(); ++i)
      (void)r->ssrc(i);
  }
  if (auto t = TransportCc::parse(p)) {
    ++ok;
    EXPECT_LE(t->chunks_and_deltas.size(), p.bytes.size());
  }
  return ok;
}

TEST(RtcpParsers, FixturesParseEverywhere) {
  for (const char* name : {"chrome_rr_remb.bin", "chrome_rr_nack.bin", "chrome_rr_pli_fir.bin",
                           "chrome_twcc.bin", "sr_sdes_bye.bin"}) {
    const Bytes b = fixture(name);
    CompoundReader r(b);
    while (auto p = r.next())
      EXPECT_EQ(parse_all(*p), 1u) << name << " type " << int(p->type);
    EXPECT_FALSE(r.failed()) << name;
  }
}

TEST(RtcpParsers, RandomGarbageDoesNotCrash) {
  std::mt19937 rng(20240601);
  const uint8_t types[] = {200, 201, 202, 203, 205, 206};
  const uint8_t formats[] = {0, 1, 4, 15, 31};
  size_t parsed = 0;
  Bytes buf;
  for (int i = 0; i < 5000; ++i) {
    buf.resize(4 + 4 * (rng() % 24));
    for (auto& b : buf)
      b = static_cast<uint8_t>(rng() % 3 == 0 ? rng() % 4 : rng());
    // Mostly a valid common header, so the type parsers see the random bodies.
    buf[0] = static_cast<uint8_t>(0x80 | (rng() % 8 == 0 ? 0x20 : 0) | formats[rng() % 5]);
    buf[1] = types[rng() % 6];
    const size_t words = buf.size() / 4 - 1 + (rng() % 10 == 0 ? 1 : 0);
    buf[2] = static_cast<uint8_t>(words >> 8);
    buf[3] = static_cast<uint8_t>(words);
    CompoundReader r(buf);
    while (auto p = r.next())
      parsed += parse_all(*p);
  }
  EXPECT_GT(parsed, 500u);
}

}  // namespace
}  // namespace webrtc::rtcp
