#include "load_client/frame_counter.hpp"

#include <gtest/gtest.h>

namespace bench::load_client {
namespace {

TEST(FrameCounter, CountsWholeFramesByMarker) {
  FrameCounter f;
  f.on_packet(1, true, true);  // the first frame's start is unknown: broken
  f.on_packet(2, false, true);
  f.on_packet(3, true, true);
  f.on_packet(4, true, true);
  EXPECT_EQ(f.whole_frames(), 2u);
  EXPECT_EQ(f.broken_frames(), 1u);
}

TEST(FrameCounter, TellsWhenACountedWholeFrameCompletes) {
  FrameCounter f;
  EXPECT_FALSE(f.on_packet(1, true, true));   // broken: start unknown
  EXPECT_FALSE(f.on_packet(2, false, true));  // no marker
  EXPECT_TRUE(f.on_packet(3, true, true));
  EXPECT_FALSE(f.on_packet(4, true, false));  // outside the window
  EXPECT_FALSE(f.on_packet(3, true, true));   // late
}

TEST(FrameCounter, GapBreaksTheFrame) {
  FrameCounter f;
  f.on_packet(1, true, true);
  f.on_packet(2, false, true);
  f.on_packet(4, true, true);  // 3 lost
  f.on_packet(5, true, true);
  EXPECT_EQ(f.whole_frames(), 1u);
  EXPECT_EQ(f.broken_frames(), 2u);
}

TEST(FrameCounter, LatePacketIsIgnoredAndWrapIsSeamless) {
  FrameCounter f;
  f.on_packet(65534, true, true);
  f.on_packet(65535, true, true);
  f.on_packet(65530, true, true);  // late: ignored
  f.on_packet(0, false, true);
  f.on_packet(1, true, true);
  EXPECT_EQ(f.whole_frames(), 2u);
  EXPECT_EQ(f.broken_frames(), 1u);
}

TEST(FrameCounter, FramesOutsideTheWindowAreNotCounted) {
  FrameCounter f;
  f.on_packet(1, true, false);
  f.on_packet(2, true, false);
  f.on_packet(3, true, true);
  EXPECT_EQ(f.whole_frames(), 1u);
  EXPECT_EQ(f.broken_frames(), 0u);
}

TEST(FrameCounter, LagGrowsWhenFramesArriveSlowerThanTheMediaClock) {
  FrameCounter f;
  // 30 fps media (3000 ticks at 90 kHz = 33.3 ms), arriving every 40 ms: 6.7 ms later each.
  for (uint16_t i = 0; i < 11; ++i)
    f.on_packet(i, true, true, 1000u + i * 3000u, 5000.0 + i * 40.0);
  EXPECT_NEAR(f.lag_ms(), 200.0 / 3.0, 0.01);
  // On time again from here: the lag stays where it got to.
  FrameCounter g;
  for (uint16_t i = 0; i < 11; ++i)
    g.on_packet(i, true, true, 0xFFFFF000u + i * 3000u, i * 100.0 / 3.0);  // wraps
  EXPECT_NEAR(g.lag_ms(), 0.0, 0.01);
}

}  // namespace
}  // namespace bench::load_client
