#include "webrtc/dtls/fingerprint.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace webrtc::dtls {
namespace {

// A real Chrome offer line (a=fingerprint value).
constexpr const char* ChromeValue =
    "sha-256 5F:0B:6C:77:A8:30:7E:1F:1D:4B:8F:E4:D6:9C:88:C3:1C:4B:6C:AE:4B:AB:A2:7D:0E:57:C5:"
    "A3:8D:A8:71:3C";

TEST(FingerprintTest, ParsesAndFormatsSdpValue) {
  auto f = Fingerprint::parse(ChromeValue);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->algorithm(), HashAlgorithm::Sha256);
  ASSERT_EQ(f->digest().size(), 32u);
  EXPECT_EQ(f->digest()[0], 0x5f);
  EXPECT_EQ(f->digest()[31], 0x3c);
  EXPECT_EQ(f->to_sdp(), ChromeValue);
}

TEST(FingerprintTest, AcceptsCaseAndSpacingVariants) {
  std::string lower = ChromeValue;
  for (char& c : lower)
    c = static_cast<char>(std::tolower(c));
  auto a = Fingerprint::parse(lower);
  auto b = Fingerprint::parse(std::string("SHA-256  ") + (ChromeValue + 8) + "\r\n");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *Fingerprint::parse(ChromeValue));
  EXPECT_EQ(*b, *a);
}

TEST(FingerprintTest, ParsesSha384AndSha512) {
  std::string v384 = "sha-384 ";
  std::string v512 = "sha-512 ";
  for (int i = 0; i < 48; ++i)
    v384 += (i ? ":" : "") + std::string("AB");
  for (int i = 0; i < 64; ++i)
    v512 += (i ? ":" : "") + std::string("0f");
  auto a = Fingerprint::parse(v384);
  auto b = Fingerprint::parse(v512);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->digest().size(), 48u);
  EXPECT_EQ(b->digest().size(), 64u);
  EXPECT_FALSE(*a == *b);
}

TEST(FingerprintTest, RejectsMalformedValues) {
  const std::string good = ChromeValue;
  EXPECT_FALSE(Fingerprint::parse(""));
  EXPECT_FALSE(Fingerprint::parse("sha-256"));
  EXPECT_FALSE(Fingerprint::parse("sha-256 "));
  EXPECT_FALSE(Fingerprint::parse("sha-1 " + good.substr(8, 59)));    // 20 bytes, sha-1
  EXPECT_FALSE(Fingerprint::parse("md5 " + good.substr(8)));          // unknown hash
  EXPECT_FALSE(Fingerprint::parse(good.substr(0, good.size() - 3)));  // truncated
  EXPECT_FALSE(Fingerprint::parse(good + ":00"));                     // too long
  EXPECT_FALSE(Fingerprint::parse("sha-384 " + good.substr(8)));      // size mismatch
  std::string bad_hex = good;
  bad_hex[10] = 'G';
  EXPECT_FALSE(Fingerprint::parse(bad_hex));
  std::string bad_sep = good;
  bad_sep[10] = '-';
  EXPECT_FALSE(Fingerprint::parse(bad_sep));
  EXPECT_FALSE(Fingerprint::parse(std::string(10000, 'A')));  // oversized
}

TEST(FingerprintTest, RandomGarbageNeverParses) {
  std::mt19937 rng(7);
  const std::string alphabet = "sha-2561:ABCDEFabcdef0123456789 \t";
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 120, ' ');
    for (char& c : s)
      c = alphabet[rng() % alphabet.size()];
    if (i % 2) s = "sha-256 " + s;
    if (auto f = Fingerprint::parse(s)) {
      ++parsed;
      EXPECT_EQ(Fingerprint::parse(f->to_sdp()), f);
    }
  }
  EXPECT_EQ(parsed, 0);  // 95 well-placed characters out of random ones: never
}

TEST(FingerprintTest, DigestOfDerIsSha256) {
  const uint8_t der[] = {'a', 'b', 'c'};
  auto f = Fingerprint::of_der(HashAlgorithm::Sha256, der);
  ASSERT_TRUE(f);
  // FIPS 180-2 B.1: SHA-256("abc").
  EXPECT_EQ(f->to_sdp(),
            "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:"
            "B4:10:FF:61:F2:00:15:AD");
  EXPECT_FALSE(Fingerprint::of_der(HashAlgorithm::Sha256, {}));
  EXPECT_FALSE(Fingerprint::from_digest(HashAlgorithm::Sha256, std::span<const uint8_t>(der)));
}

}  // namespace
}  // namespace webrtc::dtls
