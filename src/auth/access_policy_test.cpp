#include "auth/access_policy.hpp"

#include <gtest/gtest.h>

#include "auth/token_signer.hpp"

namespace auth {
namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::string kSecret(40, 's');

class AccessPolicyTest : public ::testing::Test {
 protected:
  AccessPolicyTest() {
    std::string error;
    signer_ = TokenSigner::create({Algorithm::Hs256, kSecret, "airclass", 3600}, error);
    auto verifier = TokenVerifier::create({Algorithm::Hs256, kSecret, "airclass", 5}, error);
    policy_.emplace(std::move(*verifier), Passcode("phone-pass"));
  }
  std::string token(UserType type, std::string path, int64_t now = kNow) {
    return signer_->issue(Grant::make(type, "alice", std::move(path)), now).token;
  }

  std::optional<TokenSigner> signer_;
  std::optional<AccessPolicy> policy_;
};

TEST_F(AccessPolicyTest, WhepTokenFromQueryOrBearer) {
  const auto t = token(UserType::Student, "live/stream");
  auto r = policy_->check_whep("live/stream", t, "", kNow);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.claims->sub, "alice");
  EXPECT_TRUE(policy_->check_whep("live/stream", "", "Bearer " + t, kNow).ok());
  EXPECT_TRUE(policy_->check_whep("live/stream", "", "bearer  " + t, kNow).ok());
  // The query wins: a good header cannot rescue a bad query token.
  EXPECT_EQ(policy_->check_whep("live/stream", "garbage", "Bearer " + t, kNow).decision,
            Decision::Unauthorized);
}

TEST_F(AccessPolicyTest, WhepRefusals) {
  auto missing = policy_->check_whep("live/stream", "", "", kNow);
  EXPECT_EQ(missing.decision, Decision::Unauthorized);
  EXPECT_NE(missing.reason.find("/api/token"), std::string::npos);
  EXPECT_EQ(policy_->check_whep("live/stream", "", "Basic dXNlcjpwYXNz", kNow).decision,
            Decision::Unauthorized);
  const auto expired = token(UserType::Student, "live/stream", kNow - 7200);
  auto r = policy_->check_whep("live/stream", expired, "", kNow);
  EXPECT_EQ(r.decision, Decision::Unauthorized);
  EXPECT_NE(r.reason.find("expired"), std::string::npos) << r.reason;
  auto other = policy_->check_whep("live/other", token(UserType::Student, "live/stream"), "", kNow);
  EXPECT_EQ(other.decision, Decision::Forbidden);
  EXPECT_NE(other.reason.find("live/stream"), std::string::npos);
  // A publish token cannot watch.
  EXPECT_EQ(policy_->check_whep("live/stream", token(UserType::Publisher, "live/stream"), "", kNow)
                .decision,
            Decision::Forbidden);
  // A token signed with another secret.
  std::string error;
  auto foreign =
      TokenSigner::create({Algorithm::Hs256, std::string(40, 'x'), "airclass", 60}, error);
  const auto forged = foreign->issue(Grant::make(UserType::Student, "eve", "live/stream"), kNow);
  const auto refused = policy_->check_whep("live/stream", forged.token, "", kNow);
  EXPECT_EQ(refused.decision, Decision::Unauthorized);
  // Why, for the failed-authentication limiter: a forgery is a guess, expiry is not.
  EXPECT_EQ(refused.token_error, TokenError::BadSignature);
  EXPECT_TRUE(looks_forged(refused.token_error));
  EXPECT_EQ(r.token_error, TokenError::Expired);
  EXPECT_FALSE(looks_forged(r.token_error));
  EXPECT_FALSE(looks_forged(missing.token_error));
  EXPECT_FALSE(looks_forged(other.token_error));  // valid, for another path: no guess
  EXPECT_TRUE(looks_forged(policy_->check_whep("live/stream", "garbage", "", kNow).token_error));
}

TEST_F(AccessPolicyTest, ReasonsNeverEchoSecrets) {
  const auto t = token(UserType::Student, "live/stream");
  for (const auto& r : {policy_->check_whep("live/x", t, "", kNow),
                        policy_->check_whep("live/stream", t + "x", "", kNow),
                        policy_->check_rtmp_publish("live/stream", std::nullopt,
                                                    std::string("wrong-pass"), kNow)}) {
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.reason.find(t.substr(0, 20)), std::string::npos);
    EXPECT_EQ(r.reason.find("wrong-pass"), std::string::npos);
    EXPECT_EQ(r.reason.find("phone-pass"), std::string::npos);
  }
}

TEST_F(AccessPolicyTest, RtmpPublish) {
  EXPECT_TRUE(
      policy_->check_rtmp_publish("live/stream", std::nullopt, std::string("phone-pass"), kNow)
          .ok());
  EXPECT_EQ(policy_->check_rtmp_publish("live/stream", std::nullopt, std::nullopt, kNow).decision,
            Decision::Unauthorized);
  EXPECT_EQ(
      policy_->check_rtmp_publish("live/stream", std::nullopt, std::string("Phone-pass"), kNow)
          .decision,
      Decision::Unauthorized);
  EXPECT_TRUE(policy_
                  ->check_rtmp_publish("live/stream", token(UserType::Publisher, "live/stream"),
                                       std::nullopt, kNow)
                  .ok());
  // A read token cannot publish; a publish token is for its path only.
  EXPECT_EQ(policy_
                ->check_rtmp_publish("live/stream", token(UserType::Teacher, "live/stream"),
                                     std::nullopt, kNow)
                .decision,
            Decision::Forbidden);
  EXPECT_EQ(policy_
                ->check_rtmp_publish("live/b", token(UserType::Publisher, "live/a"),
                                     std::string("phone-pass"), kNow)
                .decision,
            Decision::Forbidden);
}

TEST_F(AccessPolicyTest, RtmpPlay) {
  EXPECT_TRUE(policy_->check_rtmp_play("live/stream", std::nullopt, true, kNow).ok());
  EXPECT_EQ(policy_->check_rtmp_play("live/stream", std::nullopt, false, kNow).decision,
            Decision::Unauthorized);
  EXPECT_TRUE(
      policy_->check_rtmp_play("live/stream", token(UserType::Node, "*"), false, kNow).ok());
  EXPECT_EQ(policy_->check_rtmp_play("live/stream", std::string("bad"), true, kNow).decision,
            Decision::Unauthorized);  // a presented token is checked even from loopback
}

TEST(AccessPolicy, UnconfiguredPasswordKeepsPublishShut) {
  std::string error;
  auto verifier = TokenVerifier::create({Algorithm::Hs256, kSecret, "airclass", 5}, error);
  AccessPolicy policy(std::move(*verifier), Passcode(""));
  EXPECT_FALSE(policy.check_rtmp_publish("live/stream", std::nullopt, std::string(""), kNow).ok());
}

}  // namespace
}  // namespace auth
