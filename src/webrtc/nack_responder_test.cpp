#include "webrtc/nack_responder.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using webrtc::NackResponder;
using webrtc::NackResponderConfig;

const auto T0 = std::chrono::steady_clock::time_point{} + 1h;

TEST(NackResponder, RepairsCostAtMostTheBudgetEarnedBySending) {
  NackResponder r({.budget_share = 0.5, .max_budget_bytes = 10000, .initial_budget_bytes = 0});
  EXPECT_FALSE(r.admit(1, 1200, T0, std::nullopt));
  r.credit(4800);  // earns 2400
  EXPECT_TRUE(r.admit(2, 1200, T0, std::nullopt));
  EXPECT_TRUE(r.admit(3, 1200, T0, std::nullopt));
  EXPECT_FALSE(r.admit(4, 1200, T0, std::nullopt));
  EXPECT_EQ(r.stats().over_budget, 2u);
  r.credit(1'000'000);  // savings are capped
  EXPECT_EQ(r.budget_bytes(), 10000u);
}

TEST(NackResponder, OneNackPacketCostsABoundedNumberOfSends) {
  NackResponder r(
      {.max_budget_bytes = 1 << 30, .initial_budget_bytes = 1 << 30, .max_sends_per_nack = 3});
  r.begin_nack();
  int sent = 0;
  for (uint16_t s = 0; s < 10; ++s)
    sent += r.admit(s, 100, T0, std::nullopt);
  EXPECT_EQ(sent, 3);
  EXPECT_EQ(r.stats().over_nack_limit, 7u);
  r.begin_nack();
  EXPECT_TRUE(r.admit(20, 100, T0, std::nullopt));
}

TEST(NackResponder, NoSecondResendWithinOneRoundTrip) {
  NackResponder r;
  const std::optional<std::chrono::microseconds> rtt = 40ms;
  EXPECT_TRUE(r.admit(7, 100, T0, rtt));
  EXPECT_FALSE(r.admit(7, 100, T0 + 30ms, rtt));  // the first copy may still be on its way
  EXPECT_TRUE(r.admit(7, 100, T0 + 45ms, rtt));   // asked again after a round trip: lost too
  EXPECT_EQ(r.stats().too_soon, 1u);
  // Without an RTT the floor applies, and a huge RTT is capped.
  EXPECT_TRUE(r.admit(9, 100, T0, std::nullopt));
  EXPECT_TRUE(r.admit(9, 100, T0 + 11ms, std::nullopt));
  EXPECT_TRUE(r.admit(11, 100, T0, std::chrono::microseconds(5s)));
  EXPECT_TRUE(r.admit(11, 100, T0 + 501ms, std::chrono::microseconds(5s)));
}

}  // namespace
