#include "cluster/signed_envelope.hpp"

#include <gtest/gtest.h>

#include "cluster/heartbeat.hpp"

namespace cluster {
namespace {

using Verdict = auth::MessageSigner::Verdict;

const std::string Secret = "cluster-secret-cluster-secret-0123456789";
constexpr int64_t Now = 1'700'000'000'123;

auth::MessageSigner signer(const std::string& secret = Secret) {
  std::string error;
  auto s = SignedEnvelope::make_signer(secret, error);
  EXPECT_TRUE(s) << error;
  return std::move(*s);
}

std::string body() {
  Heartbeat hb;
  hb.node_id = "sub-1";
  hb.api_url = "http://10.0.0.5:8000";
  hb.webrtc_url = "http://203.0.113.5:18889";
  hb.capacity = 300;
  hb.viewers = 12;
  hb.version = "0.1.0";
  hb.started_ms = Now - 60'000;
  return hb.to_json();
}

TEST(SignedEnvelope, GoodSignatureVerifiesOnceThenReplayIsRefused) {
  auto sub = signer();
  auto main = signer();
  const auto h = SignedEnvelope::sign(sub, body(), Now);
  ASSERT_FALSE(h.signature.empty());
  EXPECT_EQ(h.timestamp, "1700000000123");
  EXPECT_GE(h.nonce.size(), 8u);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, h.signature, Now + 50),
            Verdict::Ok);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, h.signature, Now + 80),
            Verdict::Replayed);
  // Two signatures never share a nonce.
  EXPECT_NE(SignedEnvelope::sign(sub, body(), Now).nonce, h.nonce);
}

TEST(SignedEnvelope, ForgedWithWrongSecret) {
  auto attacker = signer("another-secret-another-secret-012345678");
  auto main = signer();
  const auto h = SignedEnvelope::sign(attacker, body(), Now);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, h.signature, Now),
            Verdict::BadSignature);
}

TEST(SignedEnvelope, AlteredBodyTimestampOrNonce) {
  auto main = signer();
  const auto h = SignedEnvelope::sign(main, body(), Now, "nonce-0001");
  std::string altered = body();
  altered.replace(altered.find("\"viewers\":12"), 12, "\"viewers\":0 ");
  EXPECT_EQ(SignedEnvelope::verify(main, altered, h.timestamp, h.nonce, h.signature, Now),
            Verdict::BadSignature);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), "1700000000124", h.nonce, h.signature, Now),
            Verdict::BadSignature);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, "nonce-0002", h.signature, Now),
            Verdict::BadSignature);
  // The untouched message still passes: the failures above did not consume its nonce.
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, h.signature, Now),
            Verdict::Ok);
}

TEST(SignedEnvelope, StaleOutsideTenSeconds) {
  auto main = signer();
  const auto h = SignedEnvelope::sign(main, body(), Now, "nonce-0001");
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, h.signature, Now + 10'001),
            Verdict::Stale);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, h.signature, Now - 10'001),
            Verdict::Stale);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, h.signature, Now + 10'000),
            Verdict::Ok);
  // A signer made with a wider window still gets the 10 s heartbeat window.
  std::string error;
  auto wide = auth::MessageSigner::create(Secret, {.window_ms = 60'000}, error);
  ASSERT_TRUE(wide);
  EXPECT_EQ(SignedEnvelope::verify(*wide, body(), h.timestamp, h.nonce, h.signature, Now + 20'000),
            Verdict::Stale);
}

TEST(SignedEnvelope, TimestampParsedStrictly) {
  EXPECT_EQ(SignedEnvelope::parse_timestamp("0"), 0);
  EXPECT_EQ(SignedEnvelope::parse_timestamp("1700000000123"), 1'700'000'000'123);
  EXPECT_EQ(SignedEnvelope::parse_timestamp("1125899906842624"), int64_t{1} << 50);
  for (std::string_view bad : {"", "-1", "+1", "01", " 1", "1 ", "1.0", "1e3", "0x10",
                               "1125899906842625", "99999999999999999", "12345678901234567890"})
    EXPECT_FALSE(SignedEnvelope::parse_timestamp(bad)) << bad;

  auto main = signer();
  const auto h = SignedEnvelope::sign(main, body(), Now, "nonce-0001");
  EXPECT_EQ(SignedEnvelope::verify(main, body(), "0" + h.timestamp, h.nonce, h.signature, Now),
            Verdict::Malformed);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, "bad nonce!", h.signature, Now),
            Verdict::Malformed);
  EXPECT_EQ(SignedEnvelope::verify(main, body(), h.timestamp, h.nonce, "zz", Now),
            Verdict::Malformed);
}

TEST(SignedEnvelope, SigningRefusesBadInput) {
  auto s = signer();
  EXPECT_TRUE(SignedEnvelope::sign(s, body(), Now, "short").signature.empty());
  EXPECT_TRUE(SignedEnvelope::sign(s, body(), -1).signature.empty());
  EXPECT_TRUE(SignedEnvelope::sign(s, std::string(auth::MessageSigner::MaxBodySize + 1, 'x'), Now)
                  .signature.empty());
  std::string error;
  EXPECT_FALSE(SignedEnvelope::make_signer("too short", error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace cluster
