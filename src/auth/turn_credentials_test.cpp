#include "auth/turn_credentials.hpp"

#include <gtest/gtest.h>

#include "auth/token_claims.hpp"

namespace auth {
namespace {

using namespace std::chrono_literals;

// Expected credentials computed independently with Python:
//   base64.b64encode(hmac.new(secret, username, hashlib.sha1).digest())

TEST(TurnCredentials, MatchesAnIndependentHmac) {
  EXPECT_EQ(turn_rest_credential("secret", "1700000000:alice"), "d8soP47RbdIKLDUOpnJPVQyq5Ts=");
  EXPECT_EQ(turn_rest_credential("secret", "1700000000:"), "cVGWw4uIFhKwIrghhm38xhZbhE8=");
}

TEST(TurnCredentials, MintsExpiryUserAndCredential) {
  std::string error;
  const auto c = mint_turn_credentials("secret", "alice", 86400s, 1700000000, error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->username, "1700086400:alice");
  EXPECT_EQ(c->credential, "bQkkJ09au//1ZGbK+3Pt69JC3qg=");
  EXPECT_EQ(c->expires, 1700086400);
  const auto now = mint_turn_credentials("secret", "alice", 1s, 1699999999, error);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->credential, "d8soP47RbdIKLDUOpnJPVQyq5Ts=");
}

TEST(TurnCredentials, ColonAndPercentInUserIdAreEncoded) {
  std::string error;
  const auto c =
      mint_turn_credentials("north-coturn-secret", "bob:room%1", 3600s, 1700000000, error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->username, "1700003600:bob%3Aroom%251");
  EXPECT_EQ(c->credential, "fnlo+i+F7Qc2HMhxTZ5CHbqSDJs=");
  // Injective: the literal "%3A" is not confused with ':'.
  const auto literal = mint_turn_credentials("s", "bob%3Aroom", 3600s, 1700000000, error);
  const auto colon = mint_turn_credentials("s", "bob:room", 3600s, 1700000000, error);
  ASSERT_TRUE(literal && colon);
  EXPECT_NE(literal->username, colon->username);
  // UTF-8 passes unchanged.
  const auto utf8 = mint_turn_credentials("s", "김철수", 60s, 0, error);
  ASSERT_TRUE(utf8);
  EXPECT_EQ(utf8->username, "60:김철수");
}

TEST(TurnCredentials, RejectsBadInput) {
  std::string error;
  EXPECT_FALSE(mint_turn_credentials("", "alice", 60s, 1700000000, error));
  EXPECT_EQ(error, "TURN shared secret must be 1..1024 bytes");
  EXPECT_FALSE(mint_turn_credentials(std::string(1025, 'k'), "alice", 60s, 1700000000, error));
  EXPECT_FALSE(mint_turn_credentials("secret", "", 60s, 1700000000, error));
  EXPECT_EQ(error, "TURN user id must be 1..128 bytes without control characters");
  EXPECT_FALSE(mint_turn_credentials("secret", std::string(129, 'a'), 60s, 1700000000, error));
  EXPECT_TRUE(mint_turn_credentials("secret", std::string(128, 'a'), 60s, 1700000000, error));
  EXPECT_FALSE(mint_turn_credentials("secret", "al\nice", 60s, 1700000000, error));
  EXPECT_FALSE(mint_turn_credentials("secret", std::string("al\0ice", 6), 60s, 1, error));
  EXPECT_FALSE(mint_turn_credentials("secret", "alice", 0s, 1700000000, error));
  EXPECT_EQ(error, "TURN credential lifetime must be 1..604800 seconds");
  EXPECT_FALSE(mint_turn_credentials("secret", "alice", -5s, 1700000000, error));
  EXPECT_FALSE(mint_turn_credentials("secret", "alice", 604801s, 1700000000, error));
  EXPECT_TRUE(mint_turn_credentials("secret", "alice", 604800s, 1700000000, error));
  EXPECT_FALSE(mint_turn_credentials("secret", "alice", 60s, -1, error));
  EXPECT_FALSE(mint_turn_credentials("secret", "alice", 60s, MaxTimestamp + 1, error));
}

TEST(TurnCredentials, ErrorNeverContainsTheSecret) {
  std::string error;
  EXPECT_FALSE(mint_turn_credentials("TOPSECRET", "", 60s, 1, error));
  EXPECT_EQ(error.find("TOPSECRET"), std::string::npos);
}

TEST(TurnCredentials, LongestUsernameFitsStun) {
  std::string error;
  const auto c =
      mint_turn_credentials("secret", std::string(128, ':'), MaxTurnTtl, MaxTimestamp, error);
  ASSERT_TRUE(c) << error;
  EXPECT_LT(c->username.size(), 509u);  // RFC 8489 14.3
}

}  // namespace
}  // namespace auth
