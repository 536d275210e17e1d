#include "http/connection_tracker.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace {

using http::ConnectionTracker;

TEST(ConnectionTracker, EnforcesTotalAndPerKeyLimits) {
  auto t = ConnectionTracker::create(3, 2, 1);
  auto a1 = t->try_acquire("a");
  auto a2 = t->try_acquire("a");
  EXPECT_TRUE(a1);
  EXPECT_TRUE(a2);
  EXPECT_FALSE(t->try_acquire("a"));  // per key
  auto b1 = t->try_acquire("b");
  EXPECT_TRUE(b1);
  EXPECT_FALSE(t->try_acquire("c"));  // total
  EXPECT_EQ(t->total(), 3u);
  EXPECT_EQ(t->count("a"), 2u);
  a1 = {};  // released by assignment
  EXPECT_EQ(t->count("a"), 1u);
  EXPECT_TRUE(t->try_acquire("c"));  // a temporary: released at once
  EXPECT_EQ(t->total(), 2u);
  EXPECT_EQ(t->count("c"), 0u);
}

TEST(ConnectionTracker, RejectSlotsAreBoundedAndSeparate) {
  auto t = ConnectionTracker::create(1, 1, 2);
  auto r1 = t->try_acquire_reject();
  auto r2 = t->try_acquire_reject();
  EXPECT_TRUE(r1);
  EXPECT_TRUE(r2);
  EXPECT_FALSE(t->try_acquire_reject());
  EXPECT_EQ(t->rejecting(), 2u);
  EXPECT_EQ(t->total(), 0u);
  auto moved = std::move(r1);
  EXPECT_EQ(t->rejecting(), 2u);  // a move does not release twice
  moved = {};
  EXPECT_EQ(t->rejecting(), 1u);
}

TEST(ConnectionTracker, SlotOutlivesTrackerOwner) {
  ConnectionTracker::Slot slot;
  {
    auto t = ConnectionTracker::create(10, 10, 0);
    slot = t->try_acquire("x");
  }
  EXPECT_TRUE(slot);
  slot = {};  // no use-after-free: the slot kept the tracker alive
  EXPECT_FALSE(slot);
}

TEST(ConnectionTracker, ConcurrentAcquireAndReleaseBalance) {
  auto t = ConnectionTracker::create(1000, 1000, 0);
  auto work = [&t](const char* key) {
    for (int i = 0; i < 20000; ++i) {
      auto s = t->try_acquire(key);
      EXPECT_TRUE(s);
    }
  };
  std::thread a(work, "a"), b(work, "b");
  a.join();
  b.join();
  EXPECT_EQ(t->total(), 0u);
  EXPECT_EQ(t->count("a"), 0u);
}

}  // namespace
