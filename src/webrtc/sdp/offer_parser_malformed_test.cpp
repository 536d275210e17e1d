// Hostile and broken input: every case must end in a clear error (or a valid parse), never a
// crash, hang or unbounded allocation. Run under ASan/UBSan too.
#include <gtest/gtest.h>

#include <random>

#include "webrtc/sdp/offer_parser.hpp"
#include "webrtc/sdp/sdp_test_support.hpp"

namespace webrtc::sdp {
namespace {

using test::load_fixture;
using test::minimal_offer;
using test::parse_error;

const char* const Fixtures[] = {"chrome_recvonly_offer.sdp", "firefox_recvonly_offer.sdp",
                                "safari_recvonly_offer.sdp", "gstreamer_recvonly_offer.sdp"};

TEST(OfferParserMalformed, MissingVersionAndGarbage) {
  EXPECT_EQ(parse_error("garbage"), "offer does not start with v=0");
  EXPECT_EQ(parse_error("v=1\n"), "offer does not start with v=0");
  std::string no_v = minimal_offer().substr(4);
  EXPECT_EQ(parse_error(no_v), "offer does not start with v=0");
  EXPECT_EQ(parse_error(std::string("v=0\no=-\0 1\n", 11)), "line 2: control character in line");
  EXPECT_EQ(parse_error("v=0\nno equals sign\n"), "line 2: expected <type>=<value>");
}

TEST(OfferParserMalformed, OneMegabyteInput) {
  std::string big = minimal_offer() + std::string(1 << 20, 'a');
  EXPECT_EQ(parse_error(big), "offer is " + std::to_string(big.size()) + " bytes (limit 65536)");
}

TEST(OfferParserMalformed, LongLinesAndAOneMegabyteLine) {
  std::string text = minimal_offer("a=x:" + std::string(3000, 'y') + "\n");
  EXPECT_EQ(parse_error(text), "line 17 too long (3004 bytes, limit 2048)");
  // A single 1 MB line is refused by the size limit before any line is looked at.
  EXPECT_NE(parse_error("v=0\na=" + std::string(1 << 20, 'z')).find("bytes (limit 65536)"),
            std::string::npos);
}

TEST(OfferParserMalformed, TenThousandMediaLines) {
  std::string text = minimal_offer();
  for (int i = 0; i < 10000 && text.size() < MaxSdpSize - 32; ++i)
    text += "m=video 9 RTP/SAVPF 96\n";
  EXPECT_EQ(parse_error(text), "offer has more than 16 m= sections");
  std::string huge = minimal_offer();
  for (int i = 0; i < 10000; ++i)
    huge += "m=video 9 RTP/SAVPF 96\n";
  EXPECT_NE(parse_error(huge).find("limit 65536"), std::string::npos);
}

TEST(OfferParserMalformed, AttributeBombs) {
  std::string many;
  for (int i = 0; i < 600; ++i)
    many += "a=ssrc:1 cname:x\n";
  EXPECT_EQ(parse_error(minimal_offer(many)), "m=video (mid 0) has more than 512 lines");
  std::string session = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\n";
  for (int i = 0; i < 200; ++i)
    session += "a=x\n";
  EXPECT_EQ(parse_error(session), "session has too many lines");
  std::string params = "a=fmtp:97 ";
  for (int i = 0; i < 40; ++i)
    params += "k" + std::to_string(i) + "=1;";
  std::string text = minimal_offer("a=rtpmap:97 rtx/90000\n" + params + "\n");
  text.replace(text.find("SAVPF 96"), 8, "SAVPF 96 97");
  EXPECT_EQ(parse_error(text), "line 18: a=fmtp:97 has more than 32 parameters");
  std::string fps;
  for (int i = 0; i < 5; ++i)
    fps += "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33\n";
  EXPECT_EQ(parse_error(minimal_offer(fps)), "line 20: too many a=fingerprint lines");
  std::string all_pts = "m=video 9 RTP/SAVPF";
  for (int i = 0; i < 129; ++i)
    all_pts += " " + std::to_string(i % 128);
  EXPECT_EQ(parse_error(minimal_offer(all_pts + "\n")),
            "line 17: m=video has more than 128 formats");
}

TEST(OfferParserMalformed, EveryTruncationOfEveryFixture) {
  for (const char* name : Fixtures) {
    std::string text = load_fixture(name);
    ASSERT_FALSE(text.empty());
    size_t ok = 0;
    for (size_t n = 0; n < text.size(); n += 7) {
      ParseResult r = parse_offer(std::string_view(text).substr(0, n));
      if (r) {
        ++ok;
      } else {
        EXPECT_FALSE(r.error.empty());
      }
    }
    EXPECT_LT(ok, text.size() / 7) << name;  // a prefix without sections cannot parse
  }
}

TEST(OfferParserMalformed, RandomGarbageWithFixedSeed) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 2000);
  for (int i = 0; i < 3000; ++i) {
    std::string junk(static_cast<size_t>(len(rng)), '\0');
    for (char& c : junk)
      c = static_cast<char>(byte(rng));
    if (i % 2 == 0) junk = "v=0\n" + junk;
    ParseResult r = parse_offer(junk);
    EXPECT_FALSE(r);
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(OfferParserMalformed, MutatedFixturesWithFixedSeed) {
  // Printable mutations keep most lines intact, so the parser goes deep into attributes.
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789abcdefABCDEF:;/=*- \r\n.aAvmstcob";
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  size_t parsed = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text = load_fixture(Fixtures[i % 4]);
    std::uniform_int_distribution<size_t> pos(0, text.size() - 1);
    for (int k = 0; k < 1 + i % 8; ++k)
      text[pos(rng)] = alphabet[pick(rng)];
    ParseResult r = parse_offer(text);
    if (r) {
      ++parsed;
      EXPECT_FALSE(r.offer->media.empty());
      EXPECT_LE(r.offer->media.size(), MaxMediaSections);
    } else {
      EXPECT_FALSE(r.error.empty());
    }
  }
  EXPECT_GT(parsed, 0u);  // benign mutations (inside values) still parse
}

}  // namespace
}  // namespace webrtc::sdp
