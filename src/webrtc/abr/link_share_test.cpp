#include "webrtc/abr/link_share.hpp"

#include <gtest/gtest.h>

namespace webrtc::abr {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(LinkShare, NoCeilingWithoutSharedCongestion) {
  LinkShare share;
  const auto t0 = Clock::now();
  const auto a = share.join(0);
  const auto b = share.join(3);
  // One congested member is its own weak link, not the shared one: nobody is held back.
  EXPECT_EQ(share.report(b, 3, true, t0), 0u);
  EXPECT_EQ(share.report(a, 0, false, t0 + 100ms), 0u);
  EXPECT_EQ(share.members(), 2u);
}

TEST(LinkShare, SharedCongestionCapsEveryoneOneRungAboveTheWorst) {
  LinkShare share;
  const auto t0 = Clock::now();
  const auto a = share.join(0);
  const auto b = share.join(1);
  const auto c = share.join(3);
  EXPECT_EQ(share.report(a, 0, true, t0), 0u);
  // Two of three congested within two seconds: shared; the worst plays rung 3.
  EXPECT_EQ(share.report(c, 3, true, t0 + 500ms), 2u);
  EXPECT_EQ(share.report(b, 1, false, t0 + 600ms), 2u);
  // The worst moves up: the ceiling follows.
  EXPECT_EQ(share.report(c, 2, false, t0 + 5s), 1u);
  // Fifteen seconds without shared congestion: still held while they play different rungs...
  EXPECT_EQ(share.report(a, 1, false, t0 + 16s), 1u);
  // ...lifted once they play the same one, or after a minute anyway.
  EXPECT_EQ(share.report(c, 1, false, t0 + 17s), 0u);
  EXPECT_EQ(share.report(c, 2, false, t0 + 18s), 1u);
  EXPECT_EQ(share.report(c, 2, false, t0 + 61s), 0u);
}

TEST(LinkShare, ALargeGroupNeedsAQuarterCongested) {
  LinkShare share;
  const auto t0 = Clock::now();
  std::vector<LinkShare::MemberId> ids;
  for (int i = 0; i < 20; ++i)
    ids.push_back(share.join(2));
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(share.report(ids[i], 2, true, t0), 0u);
  EXPECT_EQ(share.report(ids[4], 2, true, t0), 1u);  // the fifth of twenty
}

TEST(LinkShare, LeavingMembersNoLongerCount) {
  LinkShare share;
  const auto t0 = Clock::now();
  const auto a = share.join(0);
  const auto b = share.join(3);
  share.report(a, 0, true, t0);
  share.report(b, 3, true, t0);
  share.leave(b);
  EXPECT_EQ(share.members(), 1u);
  EXPECT_EQ(share.report(a, 0, false, t0 + 100ms), 0u) << "the ceiling came from a gone member";
}

TEST(LinkShares, OneGroupPerKeyWhileHeld) {
  LinkShares shares;
  auto a = shares.get("198.51.100.2 live/a");
  EXPECT_EQ(shares.get("198.51.100.2 live/a"), a);
  EXPECT_NE(shares.get("198.51.100.3 live/a"), a);
  const LinkShare* old = a.get();
  a.reset();
  auto again = shares.get("198.51.100.2 live/a");
  EXPECT_EQ(again->members(), 0u);
  (void)old;
}

TEST(LinkShare, UnderSharedCongestionOnlyAQuarterStepDownAtATime) {
  LinkShare share;
  const auto t0 = Clock::now();
  std::vector<LinkShare::MemberId> ids;
  for (int i = 0; i < 8; ++i)
    ids.push_back(share.join(2));
  for (auto id : ids)
    share.report(id, 2, true, t0);  // all see the loss
  using enum LinkShare::StepDown;
  size_t granted = 0;
  for (auto id : ids) {
    const auto s = share.may_step_down(id, t0 + 10ms);
    EXPECT_NE(s, Free);  // shared congestion: one rung at most
    granted += s == OneRung ? 1 : 0;
  }
  EXPECT_EQ(granted, 2u);  // a quarter of eight
  // The next half second, two more.
  granted = 0;
  for (auto id : ids)
    granted += share.may_step_down(id, t0 + 600ms) == OneRung ? 1 : 0;
  EXPECT_EQ(granted, 2u);
  // Whoever was refused for two seconds goes anyway (one rung) while the congestion lasts ...
  for (auto id : ids)
    share.report(id, 2, true, t0 + 2050ms);
  EXPECT_EQ(share.may_step_down(ids[7], t0 + 2100ms), OneRung);
  // ... and without waiting for a turn once it has passed (still one rung: a classmate).
  EXPECT_EQ(share.may_step_down(ids[6], t0 + 4200ms), OneRung);
}

TEST(LinkShare, AloneOrWithoutSharedCongestionAMemberStepsDownAtOnce) {
  LinkShare share;
  const auto t0 = Clock::now();
  const auto a = share.join(1);
  EXPECT_EQ(share.may_step_down(a, t0), LinkShare::StepDown::Free);  // alone: anywhere
  const auto b = share.join(1);
  share.report(b, 1, true, t0);  // one congested member: its own link
  EXPECT_EQ(share.may_step_down(b, t0 + 10ms), LinkShare::StepDown::OneRung);
  EXPECT_EQ(share.may_step_down(b, t0 + 20ms), LinkShare::StepDown::OneRung);
}

TEST(LinkShare, ANewcomerStartsOnTheMiddleMembersRung) {
  LinkShare share;
  const auto t0 = Clock::now();
  EXPECT_FALSE(share.median_rung());
  const auto a = share.join(0);
  EXPECT_EQ(share.median_rung(), 0u);
  const auto b = share.join(0);
  share.join(0);
  share.report(a, 2, false, t0);
  share.report(b, 3, false, t0);
  EXPECT_EQ(share.median_rung(), 2u);  // rungs 0, 2, 3
  share.leave(a);
  EXPECT_EQ(share.median_rung(), 3u);  // rungs 0, 3: the lower of the two middle ones
}

TEST(LinkShare, OneProbeAtATime) {
  LinkShare share;
  const auto t0 = Clock::now();
  EXPECT_TRUE(share.take_probe_turn(t0));
  EXPECT_FALSE(share.take_probe_turn(t0 + 1s));
  EXPECT_TRUE(share.take_probe_turn(t0 + 1600ms));
}

}  // namespace
}  // namespace webrtc::abr
