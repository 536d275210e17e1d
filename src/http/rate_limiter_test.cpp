#include "http/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace {

using namespace std::chrono_literals;
using http::RateLimiter;

const RateLimiter::TimePoint T0{std::chrono::hours(1000)};

TEST(RateLimiter, BurstThenRefusal) {
  RateLimiter limiter(1.0, 5);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(limiter.allow("1.2.3.4", T0).allowed) << i;
  const auto refused = limiter.allow("1.2.3.4", T0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 1s);
}

TEST(RateLimiter, RefillsOverTime) {
  RateLimiter limiter(2.0, 2);  // one token every 500 ms
  EXPECT_TRUE(limiter.allow("a", T0).allowed);
  EXPECT_TRUE(limiter.allow("a", T0).allowed);
  EXPECT_FALSE(limiter.allow("a", T0 + 100ms).allowed);
  EXPECT_TRUE(limiter.allow("a", T0 + 500ms).allowed);
  EXPECT_FALSE(limiter.allow("a", T0 + 600ms).allowed);
  // Long idle refills only up to the burst.
  EXPECT_TRUE(limiter.allow("a", T0 + 1h).allowed);
  EXPECT_TRUE(limiter.allow("a", T0 + 1h).allowed);
  EXPECT_FALSE(limiter.allow("a", T0 + 1h).allowed);
  // A clock that steps back neither refills nor breaks anything.
  EXPECT_FALSE(limiter.allow("a", T0).allowed);
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  RateLimiter slow(0.1, 1);  // one token per 10 s
  EXPECT_TRUE(slow.allow("k", T0).allowed);
  EXPECT_EQ(slow.allow("k", T0).retry_after, 10s);
  EXPECT_EQ(slow.allow("k", T0 + 2500ms).retry_after, 8s);  // 7.5 s left, rounded up
  RateLimiter fast(100.0, 1);
  EXPECT_TRUE(fast.allow("k", T0).allowed);
  EXPECT_EQ(fast.allow("k", T0).retry_after, 1s);  // never less than 1 s
  RateLimiter never(0.0, 1);
  EXPECT_TRUE(never.allow("k", T0).allowed);
  const auto d = never.allow("k", T0 + 24h);
  EXPECT_FALSE(d.allowed);
  EXPECT_GE(d.retry_after, 1s);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(1.0, 1);
  EXPECT_TRUE(limiter.allow("10.0.0.1", T0).allowed);
  EXPECT_FALSE(limiter.allow("10.0.0.1", T0).allowed);
  EXPECT_TRUE(limiter.allow("10.0.0.2", T0).allowed);
  EXPECT_FALSE(limiter.allow("10.0.0.2", T0).allowed);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiter, FloodOfKeysStaysBounded) {
  RateLimiter limiter(1.0, 3, 1000);
  std::mt19937 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const auto key = std::to_string(rng()) + "." + std::to_string(i);
    EXPECT_TRUE(limiter.allow(key, T0 + std::chrono::milliseconds(i / 100)).allowed);
    ASSERT_LE(limiter.size(), 1000u);
  }
  EXPECT_EQ(limiter.size(), 1000u);
}

TEST(RateLimiter, AtTheBoundIdleBucketsGoFirst) {
  RateLimiter limiter(1.0, 2, 2);
  // "busy" is used first (so it is the least recently used) but stays drained; "idle" is
  // touched later, once, and is full again by the time a third key arrives.
  EXPECT_TRUE(limiter.allow("busy", T0).allowed);
  EXPECT_TRUE(limiter.allow("busy", T0).allowed);
  EXPECT_TRUE(limiter.allow("idle", T0 + 100ms).allowed);
  EXPECT_TRUE(limiter.allow("new", T0 + 1200ms).allowed);  // idle refilled by now, busy not
  EXPECT_EQ(limiter.size(), 2u);
  // busy kept its state: 1.2 tokens refilled, one spent now, the next one refused.
  EXPECT_TRUE(limiter.allow("busy", T0 + 1200ms).allowed);
  EXPECT_FALSE(limiter.allow("busy", T0 + 1200ms).allowed);
}

TEST(RateLimiter, LeastRecentlyUsedEvictedWhenNoneIdle) {
  RateLimiter limiter(0.001, 1, 2);
  EXPECT_TRUE(limiter.allow("a", T0).allowed);
  EXPECT_TRUE(limiter.allow("b", T0).allowed);
  EXPECT_FALSE(limiter.allow("a", T0).allowed);  // a is now the most recently used
  EXPECT_TRUE(limiter.allow("c", T0).allowed);   // evicts b
  EXPECT_FALSE(limiter.allow("a", T0).allowed);  // a remembered
  EXPECT_TRUE(limiter.allow("b", T0).allowed);   // b forgotten: fresh bucket
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiter, ThreadSafe) {
  RateLimiter limiter(0.0, 1000, 100);
  std::atomic<int> allowed{0};
  auto work = [&] {
    for (int i = 0; i < 5000; ++i)
      allowed += limiter.allow("shared", T0).allowed;
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(RateLimiterClientKey, ExtractsAddress) {
  EXPECT_EQ(RateLimiter::client_key("1.2.3.4:5678"), "1.2.3.4");
  EXPECT_EQ(RateLimiter::client_key("1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(RateLimiter::client_key("[::1]:80"), "::1");
  EXPECT_EQ(RateLimiter::client_key("::1"), "::1");
  EXPECT_EQ(RateLimiter::client_key("[::ffff:10.1.2.3]:9"), "10.1.2.3");
  EXPECT_EQ(RateLimiter::client_key("[2001:db8:1:2:a:b:c:d]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimiter::client_key("[2001:db8:1:2:ffff::1]:1"), "2001:db8:1:2::/64");
  EXPECT_NE(RateLimiter::client_key("[2001:db8:1:3::1]:1"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimiter::client_key("2001:db8:1:2:a:b:c:d"), "2001:db8:1:2::/64");
}

TEST(RateLimiterClientKey, GarbageGivesEmptyKey) {
  for (const char* bad : {"", ":", "[", "[::1", "[::1]x", "[]:80", "abc", "1.2.3.4.5:6",
                          "999.1.1.1:80", "[1.2.3.4]:80x", "localhost:80", "1.2.3:4:5"}) {
    EXPECT_EQ(RateLimiter::client_key(bad), "") << bad;
  }
  EXPECT_EQ(RateLimiter::client_key(std::string(1000, '1')), "");
  std::mt19937 rng(1);
  for (int i = 0; i < 5000; ++i) {
    std::string junk(rng() % 80, '\0');
    for (auto& c : junk)
      c = static_cast<char>(rng());
    const auto key = RateLimiter::client_key(junk);
    EXPECT_LE(key.size(), 64u);
  }
}

}  // namespace
