#include "media/gop_cache.hpp"

#include <gtest/gtest.h>

#include "media/frame_test_support.hpp"

namespace media {
namespace {

using test::audio;
using test::video;

TEST(GopCache, KeepsFromLatestKeyframeWithAudio) {
  GopCache gop(1 << 20, 100);
  gop.push(audio(0));  // before any keyframe: nothing to start from
  gop.push(video(0, false));
  EXPECT_TRUE(gop.empty());
  gop.push(video(33, true));
  gop.push(audio(40));
  gop.push(video(66, false));
  ASSERT_EQ(gop.frames().size(), 3u);
  EXPECT_EQ(gop.bytes(), 210u);
  gop.push(video(100, true));  // a new GOP replaces the old one
  gop.push(audio(105));
  ASSERT_EQ(gop.frames().size(), 2u);
  EXPECT_EQ(gop.frames()[0]->dts_ms, 100);
  EXPECT_TRUE(gop.frames()[0]->keyframe);
  EXPECT_EQ(gop.frames()[1]->kind, TrackKind::Audio);
}

TEST(GopCache, AudioOnlyKeepsNothing) {
  GopCache gop(1 << 20, 100);
  for (int i = 0; i < 50; ++i)
    gop.push(audio(i * 21));
  EXPECT_TRUE(gop.empty());
  EXPECT_EQ(gop.bytes(), 0u);
}

TEST(GopCache, OverBoundsDropsUntilNextKeyframe) {
  GopCache gop(1000, 100);
  gop.push(video(0, true, 400));
  gop.push(video(33, false, 400));
  EXPECT_EQ(gop.frames().size(), 2u);
  gop.push(video(66, false, 400));  // 1200 > 1000
  EXPECT_TRUE(gop.empty());
  EXPECT_EQ(gop.overflows(), 1u);
  gop.push(video(100, false, 10));
  gop.push(audio(101));
  EXPECT_TRUE(gop.empty());
  gop.push(video(133, true, 10));
  EXPECT_EQ(gop.frames().size(), 1u);
}

TEST(GopCache, FrameCountBound) {
  GopCache gop(1 << 20, 3);
  gop.push(video(0, true));
  gop.push(video(1, false));
  gop.push(video(2, false));
  EXPECT_EQ(gop.frames().size(), 3u);
  gop.push(video(3, false));
  EXPECT_TRUE(gop.empty());
}

TEST(GopCache, ClearWaitsForKeyframe) {
  GopCache gop(1 << 20, 100);
  gop.push(video(0, true));
  gop.clear();
  gop.push(video(33, false));
  EXPECT_TRUE(gop.empty());
}

}  // namespace
}  // namespace media
