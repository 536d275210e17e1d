#include "auth/base64url.hpp"

#include <gtest/gtest.h>

#include <random>

namespace auth {
namespace {

std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

// RFC 4648 10 test vectors, in the URL alphabet without padding (RFC 7515 2).
TEST(Base64Url, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(base64url_decode(encoded), bytes(plain)) << encoded;
    EXPECT_EQ(base64url_decode_text(encoded), std::string(plain));
  }
}

TEST(Base64Url, UsesUrlSafeCharacters) {
  const std::vector<uint8_t> data{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(data), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), data);
}

TEST(Base64Url, RefusesNonCanonicalInput) {
  EXPECT_FALSE(base64url_decode("Zg=="));   // padding
  EXPECT_FALSE(base64url_decode("+/+/"));   // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9 v"));  // whitespace
  EXPECT_FALSE(base64url_decode("Zm9vY"));  // 4n+1 characters cannot encode whole bytes
  EXPECT_FALSE(base64url_decode("Zh"));     // non-zero pad bits ("Zg" is canonical)
  EXPECT_FALSE(base64url_decode("Zm9"));    // ditto ("Zm8")
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\0v", 4)));
  EXPECT_FALSE(base64url_decode(std::string(101, 'A'), 100));  // over the limit
  EXPECT_TRUE(base64url_decode(std::string(100, 'A'), 100));
}

TEST(Base64Url, RandomRoundTripAndGarbage) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> data(rng() % 80);
    for (auto& b : data)
      b = static_cast<uint8_t>(rng());
    const auto encoded = base64url_encode(data);
    EXPECT_EQ(encoded.size(), (data.size() * 4 + 2) / 3);
    EXPECT_EQ(base64url_decode(encoded), data);

    std::string garbage(rng() % 80, '\0');
    for (auto& c : garbage)
      c = static_cast<char>(rng());
    // Whatever decodes must re-encode to the same text: one encoding per byte string.
    if (const auto decoded = base64url_decode(garbage)) {
      EXPECT_EQ(base64url_encode(*decoded), garbage);
    }
  }
}

}  // namespace
}  // namespace auth
