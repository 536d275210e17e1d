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

namespace {

// Acquires a slot from `key` with a shed handler that records it was called.
struct Held {
  ConnectionTracker::Slot slot;
  std::shared_ptr<bool> shed = std::make_shared<bool>(false);
};

Held hold(ConnectionTracker& t, const char* key) {
  Held h{t.try_acquire(key)};
  h.slot.on_shed([flag = h.shed] { *flag = true; });
  return h;
}

TEST(ConnectionTrackerShedding, FullServerShedsTheHeaviestKeysLongestWaiting) {
  auto t = ConnectionTracker::create(4, 10, 0);
  auto a1 = hold(*t, "a"), a2 = hold(*t, "a"), a3 = hold(*t, "a"), b1 = hold(*t, "b");
  ASSERT_TRUE(a1.slot && a2.slot && a3.slot && b1.slot);
  a1.slot.waiting();  // a1 waits afresh (a new request began): a2 now waited longest
  auto c1 = t->try_acquire("c");
  EXPECT_TRUE(c1);
  EXPECT_TRUE(*a2.shed);
  EXPECT_FALSE(*a1.shed || *a3.shed || *b1.shed);
  EXPECT_EQ(t->total(), 4u);
  EXPECT_EQ(t->count("a"), 2u);
  EXPECT_EQ(t->shed_total(), 1u);
  a2.slot = {};  // the shed connection closes later: its release changes nothing
  EXPECT_EQ(t->total(), 4u);
  EXPECT_EQ(t->count("a"), 2u);
}

TEST(ConnectionTrackerShedding, NoShedForAnEquallyHeavyKey) {
  auto t = ConnectionTracker::create(4, 10, 0);
  auto a1 = hold(*t, "a"), a2 = hold(*t, "a"), b1 = hold(*t, "b"), b2 = hold(*t, "b");
  EXPECT_FALSE(t->try_acquire("a"));  // 3 against 2 would only move the imbalance
  auto c1 = t->try_acquire("c");
  EXPECT_TRUE(c1);  // 1 against 2: fair
  EXPECT_EQ(*a1.shed + *a2.shed + *b1.shed + *b2.shed, 1);
  EXPECT_FALSE(t->try_acquire("c"));  // now c holds 1 and everybody else at most 2
  EXPECT_EQ(t->total(), 4u);
}

TEST(ConnectionTrackerShedding, WorkingOrUnregisteredConnectionsAreNotShed) {
  auto t = ConnectionTracker::create(3, 10, 0);
  auto a1 = hold(*t, "a"), a2 = hold(*t, "a");
  auto a3 = t->try_acquire("a");  // no shed handler yet (not started)
  a1.slot.working();
  a2.slot.working();
  EXPECT_FALSE(t->try_acquire("b"));
  a2.slot.waiting();
  EXPECT_TRUE(t->try_acquire("b"));
  EXPECT_TRUE(*a2.shed);
  EXPECT_FALSE(*a1.shed);
}

TEST(ConnectionTrackerShedding, PerKeyCapIsNotBypassedByShedding) {
  auto t = ConnectionTracker::create(3, 1, 0);
  auto a1 = hold(*t, "a"), b1 = hold(*t, "b");
  EXPECT_FALSE(t->try_acquire("a"));
  EXPECT_EQ(t->shed_total(), 0u);
}

TEST(ConnectionTrackerShedding, ManyHoldersEvenOutAndNewcomersAlwaysGetIn) {
  // Eight keys trickling hold everything; a newcomer from a ninth key always gets a place.
  auto t = ConnectionTracker::create(64, 64, 0);
  std::vector<Held> held;
  for (int i = 0; i < 200; ++i)
    held.push_back(hold(*t, std::to_string(i % 8).c_str()));
  EXPECT_EQ(t->total(), 64u);
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(t->count(std::to_string(i)), 8u);
  std::vector<ConnectionTracker::Slot> newcomers;
  for (int i = 0; i < 5; ++i) {
    newcomers.push_back(t->try_acquire("newcomer"));
    EXPECT_TRUE(newcomers.back());
  }
  EXPECT_EQ(t->total(), 64u);
  EXPECT_EQ(t->count("newcomer"), 5u);
  EXPECT_EQ(t->shed_total(), 5u);
  for (int i = 0; i < 8; ++i)
    EXPECT_GE(t->count(std::to_string(i)), 7u);  // taken evenly, not all from one key
}

}  // namespace

namespace {

TEST(ConnectionTracker, TrustedProxyHasNoPerKeyCapAndIsNeverShed) {
  auto t = ConnectionTracker::create(4, 1, 0);
  std::vector<ConnectionTracker::Slot> proxy;
  for (int i = 0; i < 3; ++i) {
    proxy.push_back(t->try_acquire("127.0.0.1", true));
    ASSERT_TRUE(proxy.back());
    proxy.back().on_shed([] { ADD_FAILURE() << "a trusted proxy's connection was shed"; });
  }
  EXPECT_FALSE(t->try_acquire("127.0.0.1"));  // the same address, untrusted: capped
  auto b = t->try_acquire("b");
  EXPECT_TRUE(b);
  // Full: the proxy holds the most but gives nothing up; it still counts toward the total.
  EXPECT_FALSE(t->try_acquire("c"));
  EXPECT_FALSE(t->try_acquire("127.0.0.1", true));
  EXPECT_EQ(t->total(), 4u);
  EXPECT_EQ(t->shed_total(), 0u);
}

}  // namespace
