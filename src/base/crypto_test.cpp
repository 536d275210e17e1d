#include "base/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace {

std::vector<uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}
std::vector<uint8_t> repeat(uint8_t b, size_t n) {
  return std::vector<uint8_t>(n, b);
}

template <size_t N>
std::string hex(const std::array<uint8_t, N>& d) {
  static constexpr char Digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(Digits[b >> 4]);
    out.push_back(Digits[b & 15]);
  }
  return out;
}

// RFC 2202 section 3, test cases 1, 2, 3, 6 and 7.
TEST(Crypto, HmacSha1Rfc2202) {
  EXPECT_EQ(hex(base::hmac_sha1(repeat(0x0b, 20), bytes_of("Hi There"))),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(hex(base::hmac_sha1(bytes_of("Jefe"), bytes_of("what do ya want for nothing?"))),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hex(base::hmac_sha1(repeat(0xaa, 20), repeat(0xdd, 50))),
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  EXPECT_EQ(
      hex(base::hmac_sha1(repeat(0xaa, 80),
                          bytes_of("Test Using Larger Than Block-Size Key - Hash Key First"))),
      "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  EXPECT_EQ(hex(base::hmac_sha1(repeat(0xaa, 80),
                                bytes_of("Test Using Larger Than Block-Size Key and Larger Than "
                                         "One Block-Size Data"))),
            "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

TEST(Crypto, HmacSha1EmptyKeyIsNotThePreviousKey) {
  // A null key pointer would make OpenSSL reuse the last key; run a keyed MAC first.
  (void)base::hmac_sha1(bytes_of("Jefe"), bytes_of("x"));
  EXPECT_EQ(hex(base::hmac_sha1({}, {})), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

TEST(Crypto, HmacSha1MultiEqualsConcatenation) {
  const auto key = bytes_of("Jefe");
  const auto a = bytes_of("what do ya ");
  const auto b = bytes_of("want for nothing?");
  EXPECT_EQ(hex(base::hmac_sha1_multi(key, {a, {}, b})),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

// RFC 4231 section 4, test cases 1, 2 and 6.
TEST(Crypto, HmacSha256Rfc4231) {
  EXPECT_EQ(hex(base::hmac_sha256(repeat(0x0b, 20), bytes_of("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(base::hmac_sha256(bytes_of("Jefe"), bytes_of("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(
      hex(base::hmac_sha256(repeat(0xaa, 131),
                            bytes_of("Test Using Larger Than Block-Size Key - Hash Key First"))),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// FIPS 180-2 appendix B.1 and the empty message.
TEST(Crypto, Sha256) {
  EXPECT_EQ(hex(base::sha256(bytes_of("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(base::sha256({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, Crc32CheckValueAndChaining) {
  const auto data = bytes_of("123456789");
  EXPECT_EQ(base::crc32(data), 0xCBF43926u);
  EXPECT_EQ(base::crc32({}), 0u);
  const std::span<const uint8_t> all(data);
  EXPECT_EQ(base::crc32(all.subspan(4), base::crc32(all.first(4))), 0xCBF43926u);
  EXPECT_EQ(base::crc32(bytes_of("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(base::constant_time_equal(bytes_of("abc"), bytes_of("abc")));
  EXPECT_FALSE(base::constant_time_equal(bytes_of("abc"), bytes_of("abd")));
  EXPECT_FALSE(base::constant_time_equal(bytes_of("abc"), bytes_of("ab")));
  EXPECT_TRUE(base::constant_time_equal({}, {}));
}

TEST(Crypto, RandomBytesAreNotConstant) {
  std::array<uint8_t, 32> a{}, b{};
  ASSERT_TRUE(base::random_bytes(a));
  ASSERT_TRUE(base::random_bytes(b));
  EXPECT_NE(a, b);  // 2^-256 chance of a false failure
}

TEST(Crypto, RandomStringUsesOnlyTheAlphabetAndCoversIt) {
  const std::string s = base::random_string(1000, "ab+/");
  ASSERT_EQ(s.size(), 1000u);
  std::set<char> seen(s.begin(), s.end());
  EXPECT_EQ(seen, (std::set<char>{'a', 'b', '+', '/'}));
  const std::string alnum = base::random_string(24);
  ASSERT_EQ(alnum.size(), 24u);
  for (char c : alnum)
    EXPECT_NE(base::AlphaNumeric.find(c), std::string_view::npos);
  EXPECT_NE(base::random_string(24), alnum);
}

TEST(Crypto, RandomStringRejectsBadArguments) {
  EXPECT_TRUE(base::random_string(5, "").empty());
  EXPECT_TRUE(base::random_string(base::MaxRandomStringSize + 1).empty());
  EXPECT_TRUE(base::random_string(0).empty());
  EXPECT_EQ(base::random_string(3, "z"), "zzz");
}

}  // namespace
