#include "app/rtmp_listener.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace app {
namespace {

TEST(RtmpConnectionSlots, CapsPerAddressAndInTotal) {
  auto slots = std::make_shared<RtmpConnectionSlots>(5, 2);
  std::string refusal;
  std::vector<RtmpConnectionSlots::Slot> held;
  held.push_back(slots->acquire("192.0.2.1", refusal));
  held.push_back(slots->acquire("192.0.2.1", refusal));
  EXPECT_TRUE(held[0] && held[1]);
  EXPECT_FALSE(slots->acquire("192.0.2.1", refusal));
  EXPECT_EQ(refusal, "2 RTMP connections from this address (rtmpMaxConnectionsPerAddress)");
  held.push_back(slots->acquire("192.0.2.2", refusal));
  held.push_back(slots->acquire("192.0.2.2", refusal));
  held.push_back(slots->acquire("192.0.2.3", refusal));
  EXPECT_TRUE(held[4]);
  EXPECT_EQ(slots->total(), 5u);
  EXPECT_FALSE(slots->acquire("192.0.2.4", refusal));
  EXPECT_EQ(refusal, "node has 5 RTMP connections (rtmpMaxConnections)");
  EXPECT_EQ(slots->from("192.0.2.4"), 0u);  // a refusal holds nothing
}

TEST(RtmpConnectionSlots, SlotsComeBackWhenTheLastCopyGoes) {
  auto slots = std::make_shared<RtmpConnectionSlots>(1, 1);
  std::string refusal;
  auto slot = slots->acquire("2001:db8::1", refusal);
  ASSERT_TRUE(slot);
  auto copy = slot;
  slot.reset();
  EXPECT_FALSE(slots->acquire("2001:db8::1", refusal));
  copy.reset();
  EXPECT_EQ(slots->total(), 0u);
  EXPECT_EQ(slots->from("2001:db8::1"), 0u);
  EXPECT_TRUE(slots->acquire("2001:db8::1", refusal));
}

TEST(RtmpConnectionSlots, OutliveTheirCounterOwner) {
  std::string refusal;
  auto slots = std::make_shared<RtmpConnectionSlots>(1, 1);
  auto slot = slots->acquire("198.51.100.7", refusal);
  std::weak_ptr<RtmpConnectionSlots> weak = slots;
  slots.reset();  // the listener went first
  EXPECT_FALSE(weak.expired());
  slot.reset();
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace app
