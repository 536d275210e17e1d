#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "webrtc/rtcp/bye.hpp"
#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/rtcp_test_support.hpp"
#include "webrtc/rtcp/sdes.hpp"

namespace webrtc::rtcp {
namespace {

using test::Bytes;
using test::fixture;
using test::packets;

TEST(Sdes, ParsesFixtureAndWritesByteExact) {
  const Bytes b = fixture("sr_sdes_bye.bin");
  auto ps = packets(b);
  ASSERT_EQ(ps.size(), 3u);
  auto sdes = Sdes::parse(ps[1]);
  ASSERT_TRUE(sdes);
  ASSERT_EQ(sdes->chunk_count(), 1u);
  EXPECT_EQ(sdes->chunk(0).ssrc, 0x5A5A5A5Au);
  EXPECT_EQ(sdes->chunk(0).cname, "abcdefghijklmnop");
  EXPECT_EQ(sdes->chunk(1).ssrc, 0u);
  const SdesChunk chunk{0x5A5A5A5A, "abcdefghijklmnop"};
  Sdes mine(std::span(&chunk, 1));
  Bytes out(mine.size());
  ASSERT_EQ(mine.write_to(out), 28u);
  EXPECT_EQ(out, Bytes(b.begin() + 52, b.begin() + 80));
}

TEST(Sdes, PadsEveryCnameLengthAndSkipsOtherItems) {
  for (size_t len = 0; len < 12; ++len) {
    const std::string cname(len, 'c');
    const SdesChunk chunks[] = {{1, cname}, {2, "x"}};
    Sdes s(chunks);
    Bytes out(s.size());
    ASSERT_EQ(s.write_to(out), out.size());
    EXPECT_EQ(out.size() % 4, 0u);
    auto back = Sdes::parse(packets(out)[0]);
    ASSERT_TRUE(back) << len;
    EXPECT_EQ(back->chunk(0).cname, cname);
    EXPECT_EQ(back->chunk(1).cname, "x");
  }
  // CNAME after a NAME item (type 2) and a TOOL item (6).
  const Bytes other = {0x81, 0xCA, 0, 4, 0, 0, 0, 9, 2, 1, 'n', 6, 0, 1, 1, 'z', 0, 0, 0, 0};
  auto s = Sdes::parse(packets(other)[0]);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->chunk(0).cname, "z");
}

TEST(Sdes, RejectsMalformed) {
  // Item length past the packet.
  Bytes b = {0x81, 0xCA, 0, 2, 0, 0, 0, 9, 1, 10, 'a', 0};
  EXPECT_FALSE(Sdes::parse(packets(b)[0]));
  // Missing null terminator.
  b = {0x81, 0xCA, 0, 2, 0, 0, 0, 9, 1, 2, 'a', 'b'};
  EXPECT_FALSE(Sdes::parse(packets(b)[0]));
  // Two chunks announced, one present.
  b = {0x82, 0xCA, 0, 2, 0, 0, 0, 9, 1, 1, 'a', 0};
  EXPECT_FALSE(Sdes::parse(packets(b)[0]));
  const std::string huge(256, 'h');
  const SdesChunk c{1, huge};
  Bytes out(400);
  EXPECT_EQ(Sdes(std::span(&c, 1)).write_to(out), 0u);
}

TEST(Bye, ParsesFixtureAndRoundTrips) {
  const Bytes b = fixture("sr_sdes_bye.bin");
  auto bye = Bye::parse(packets(b)[2]);
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->source_count(), 1u);
  EXPECT_EQ(bye->ssrc(0), 0x5A5A5A5Au);
  EXPECT_EQ(bye->reason(), "teardown");
  const uint32_t ssrc = 0x5A5A5A5A;
  Bye mine(std::span(&ssrc, 1), "teardown");
  Bytes out(mine.size());
  ASSERT_EQ(mine.write_to(out), 20u);
  EXPECT_EQ(out, Bytes(b.end() - 20, b.end()));
  const uint32_t two[] = {1, 2};
  Bye plain(two);
  Bytes out2(plain.size());
  ASSERT_EQ(plain.write_to(out2), 12u);
  auto back = Bye::parse(packets(out2)[0]);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->ssrc(1), 2u);
  EXPECT_TRUE(back->reason().empty());
}

TEST(Bye, RejectsMalformed) {
  Bytes b = {0x82, 0xCB, 0, 1, 0, 0, 0, 1};  // SC 2, one SSRC
  EXPECT_FALSE(Bye::parse(packets(b)[0]));
  b = {0x81, 0xCB, 0, 2, 0, 0, 0, 1, 9, 'a', 'b', 'c'};  // reason length past the end
  EXPECT_FALSE(Bye::parse(packets(b)[0]));
}

}  // namespace
}  // namespace webrtc::rtcp
