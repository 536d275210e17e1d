#include "auth/message_signer.hpp"

#include <gtest/gtest.h>

#include <random>

namespace auth {
namespace {

using Verdict = MessageSigner::Verdict;

const std::string Secret = "cluster-secret-cluster-secret-0123456789";
constexpr int64_t Now = 1'700'000'000'123;
constexpr std::string_view Body = R"({"node":"sub-1","viewers":42})";
constexpr std::string_view Nonce = "AbCdEfGh12345678-_";

MessageSigner make(MessageSigner::Config config = {}) {
  std::string error;
  auto s = MessageSigner::create(Secret, config, error);
  EXPECT_TRUE(s) << error;
  return std::move(*s);
}

// Reference value from Python: hmac.new(secret, b"airclass-msg-v1\n<ts>\n<nonce>\n<body>",
// hashlib.sha256).hexdigest().
TEST(MessageSigner, MatchesIndependentHmac) {
  EXPECT_EQ(make().sign(Body, Now, Nonce),
            "e8b134690450f4e5488fc483aa8b05adac0a7a9da57fce4d271fa8dc491f6eb0");
}

TEST(MessageSigner, VerifiesOnceThenRefusesReplay) {
  auto s = make();
  const auto sig = s.sign(Body, Now, Nonce);
  EXPECT_EQ(s.verify(Body, Now, Nonce, sig, Now + 100), Verdict::Ok);
  EXPECT_EQ(s.verify(Body, Now, Nonce, sig, Now + 200), Verdict::Replayed);
  // Once out of the window the replay is stale, and the entry may be dropped.
  EXPECT_EQ(s.verify(Body, Now, Nonce, sig, Now + 30'001), Verdict::Stale);
  // The same nonce with a new timestamp is still refused while remembered.
  auto t = make();
  EXPECT_EQ(t.verify(Body, Now, Nonce, t.sign(Body, Now, Nonce), Now), Verdict::Ok);
  EXPECT_EQ(t.verify(Body, Now + 1, Nonce, t.sign(Body, Now + 1, Nonce), Now), Verdict::Replayed);
  // Upper-case hex is the same signature.
  auto u = make();
  std::string upper = u.sign(Body, Now, Nonce);
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(u.verify(Body, Now, Nonce, upper, Now), Verdict::Ok);
}

TEST(MessageSigner, RefusesAlteredMessages) {
  auto s = make();
  const auto sig = s.sign(Body, Now, Nonce);
  EXPECT_EQ(s.verify(R"({"node":"sub-1","viewers":0})", Now, Nonce, sig, Now),
            Verdict::BadSignature);
  EXPECT_EQ(s.verify(Body, Now + 1, Nonce, sig, Now), Verdict::BadSignature);
  EXPECT_EQ(s.verify(Body, Now, "AbCdEfGh12345679-_", sig, Now), Verdict::BadSignature);
  std::string flipped = sig;
  flipped[0] = flipped[0] == '0' ? '1' : '0';
  EXPECT_EQ(s.verify(Body, Now, Nonce, flipped, Now), Verdict::BadSignature);
  std::string error;
  auto other = MessageSigner::create("another-secret-another-secret-0123456789", error);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->verify(Body, Now, Nonce, sig, Now), Verdict::BadSignature);
  // Nothing unauthenticated entered the cache.
  EXPECT_EQ(s.cached_nonces(), 0u);
  EXPECT_EQ(s.verify(Body, Now, Nonce, sig, Now), Verdict::Ok);
}

TEST(MessageSigner, RefusesMalformedInput) {
  auto s = make();
  const auto sig = s.sign(Body, Now, Nonce);
  EXPECT_EQ(s.verify(Body, Now, Nonce, sig.substr(1), Now), Verdict::Malformed);
  EXPECT_EQ(s.verify(Body, Now, Nonce, sig + "00", Now), Verdict::Malformed);
  EXPECT_EQ(s.verify(Body, Now, Nonce, std::string(64, 'g'), Now), Verdict::Malformed);
  EXPECT_EQ(s.verify(Body, Now, Nonce, "", Now), Verdict::Malformed);
  for (std::string_view nonce : {"short", "with\nnewline", "has space 123", "", "ab/cd+ef=="})
    EXPECT_EQ(s.verify(Body, Now, nonce, sig, Now), Verdict::Malformed) << nonce;
  EXPECT_EQ(s.verify(Body, Now, std::string(65, 'n'), sig, Now), Verdict::Malformed);
  EXPECT_EQ(s.verify(Body, -1, Nonce, sig, Now), Verdict::Malformed);
  EXPECT_EQ(s.verify(std::string(MessageSigner::MaxBodySize + 1, 'x'), Now, Nonce, sig, Now),
            Verdict::Malformed);
  EXPECT_EQ(s.sign(Body, Now, "bad nonce"), "");
  EXPECT_EQ(s.sign(Body, -1, Nonce), "");
}

TEST(MessageSigner, WindowEdges) {
  auto s = make({.window_ms = 30'000, .max_nonces = 100});
  auto check = [&](int64_t ts, std::string_view nonce, int64_t now) {
    return s.verify(Body, ts, nonce, s.sign(Body, ts, nonce), now);
  };
  EXPECT_EQ(check(Now - 30'000, "nonce-past-edge", Now), Verdict::Ok);
  EXPECT_EQ(check(Now - 30'001, "nonce-past-over", Now), Verdict::Stale);
  EXPECT_EQ(check(Now + 30'000, "nonce-future-edge", Now), Verdict::Ok);
  EXPECT_EQ(check(Now + 30'001, "nonce-future-over", Now), Verdict::Stale);
  EXPECT_EQ(check(Now, "nonce-clock-broken", -5), Verdict::Stale);
}

TEST(MessageSigner, EvictionNeverAdmitsAReplay) {
  auto s = make({.window_ms = 30'000, .max_nonces = 3});
  auto send = [&](int64_t ts, std::string_view nonce, int64_t now) {
    return s.verify(Body, ts, nonce, s.sign(Body, ts, nonce), now);
  };
  EXPECT_EQ(send(Now + 1, "nonce-001", Now + 10), Verdict::Ok);
  EXPECT_EQ(send(Now + 2, "nonce-002", Now + 10), Verdict::Ok);
  EXPECT_EQ(send(Now + 3, "nonce-003", Now + 10), Verdict::Ok);
  EXPECT_EQ(s.cached_nonces(), 3u);
  // Full: a message older than everything cached would need a newer entry evicted; refused.
  EXPECT_EQ(send(Now + 1, "nonce-000", Now + 10), Verdict::Stale);
  // A newer one evicts nonce-001 and raises the floor to its timestamp.
  EXPECT_EQ(send(Now + 4, "nonce-004", Now + 10), Verdict::Ok);
  EXPECT_EQ(s.cached_nonces(), 3u);
  // The evicted message, replayed inside the window, is refused by the floor.
  EXPECT_EQ(send(Now + 1, "nonce-001", Now + 11), Verdict::Stale);
  // The others are still remembered.
  EXPECT_EQ(send(Now + 2, "nonce-002", Now + 11), Verdict::Replayed);
  EXPECT_EQ(send(Now + 4, "nonce-004", Now + 11), Verdict::Replayed);
}

TEST(MessageSigner, ExpiryAndClockSteppingBack) {
  auto s = make({.window_ms = 30'000, .max_nonces = 1000});
  auto send = [&](int64_t ts, std::string_view nonce, int64_t now) {
    return s.verify(Body, ts, nonce, s.sign(Body, ts, nonce), now);
  };
  EXPECT_EQ(send(Now, "nonce-aaa", Now), Verdict::Ok);
  // Later traffic expires the entry from the cache...
  EXPECT_EQ(send(Now + 40'000, "nonce-bbb", Now + 40'000), Verdict::Ok);
  EXPECT_EQ(s.cached_nonces(), 1u);
  // ...and if the clock then steps back, the forgotten message is still not accepted.
  EXPECT_EQ(send(Now, "nonce-aaa", Now + 1'000), Verdict::Stale);
}

TEST(MessageSigner, BoundedUnderLoad) {
  auto s = make({.window_ms = 30'000, .max_nonces = 500});
  std::mt19937 rng(7);
  int ok = 0;
  for (int i = 0; i < 5000; ++i) {
    const int64_t now = Now + i * 10;  // 50 s of traffic at 100 messages/s
    const int64_t ts = now - static_cast<int64_t>(rng() % 2000);
    const auto nonce = MessageSigner::make_nonce();
    ASSERT_EQ(nonce.size(), 22u);
    if (s.verify(Body, ts, nonce, s.sign(Body, ts, nonce), now) == Verdict::Ok) ++ok;
    ASSERT_LE(s.cached_nonces(), 500u);
  }
  EXPECT_GT(ok, 2500);  // most fresh traffic still passes while the cache is saturated
}

TEST(MessageSigner, RefusesBadConfigWithoutEchoingSecret) {
  std::string error;
  EXPECT_FALSE(MessageSigner::create("SHORTSECRET", error));
  EXPECT_NE(error, "");
  EXPECT_EQ(error.find("SHORTSECRET"), std::string::npos);
  EXPECT_FALSE(MessageSigner::create(Secret, {.window_ms = 999}, error));
  EXPECT_FALSE(MessageSigner::create(Secret, {.window_ms = 30'000, .max_nonces = 0}, error));
  EXPECT_TRUE(MessageSigner::create(Secret, error));
  EXPECT_EQ(error, "");
}

}  // namespace
}  // namespace auth
