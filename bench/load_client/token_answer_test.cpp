#include "load_client/token_answer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace bench::load_client {
namespace {

TEST(TokenAnswer, RecognizesTheTokenApi) {
  EXPECT_TRUE(is_token_api("/api/token?user_type=student&user_id=x"));
  EXPECT_TRUE(is_token_api("/api/token"));
  EXPECT_FALSE(is_token_api("/live/stream/whep?jwt=abc"));
  EXPECT_FALSE(is_token_api("/api/tokens"));
}

TEST(TokenAnswer, ExtractsTheWebrtcUrl) {
  const std::string body =
      R"({"token":"a.b.c","webrtc_url":"http:\/\/127.0.0.1:8889\/live\/stream\/whep?jwt=a.b.c",)"
      R"("expires_in":3600,"user_type":"student"})";
  EXPECT_EQ(webrtc_url_from_token_answer(body), "http://127.0.0.1:8889/live/stream/whep?jwt=a.b.c");
  EXPECT_EQ(webrtc_url_from_token_answer(R"({"webrtc_url" : "http://h/w"})"), "http://h/w");
}

TEST(TokenAnswer, RefusesMalformedAnswers) {
  EXPECT_FALSE(webrtc_url_from_token_answer(""));
  EXPECT_FALSE(webrtc_url_from_token_answer(R"({"token":"x"})"));
  EXPECT_FALSE(webrtc_url_from_token_answer(R"({"webrtc_url":42})"));
  EXPECT_FALSE(webrtc_url_from_token_answer(R"({"webrtc_url":"http://unterminated)"));
  EXPECT_FALSE(webrtc_url_from_token_answer(R"({"webrtc_url":"bad\q"})"));
  EXPECT_FALSE(webrtc_url_from_token_answer(R"({"webrtc_url":"\u0041"})"));
  EXPECT_FALSE(webrtc_url_from_token_answer(R"({"webrtc_url":""})"));
  EXPECT_FALSE(webrtc_url_from_token_answer("{\"webrtc_url\":\"" + std::string(5000, 'a') + "\"}"));
}

TEST(TokenAnswer, RandomInputNeverCrashes) {
  std::mt19937 rng(5);
  const std::string alphabet = "{}\":\\/ ,webrtc_url0123abc\n";
  for (int i = 0; i < 3000; ++i) {
    std::string s = i % 2 ? "{\"webrtc_url\":\"" : "";
    const size_t n = rng() % 64;
    for (size_t k = 0; k < n; ++k)
      s += alphabet[rng() % alphabet.size()];
    auto url = webrtc_url_from_token_answer(s);
    if (url) {
      EXPECT_FALSE(url->empty());
    }
  }
}

}  // namespace
}  // namespace bench::load_client
