#include "media/frame_queue.hpp"

#include <gtest/gtest.h>

#include "media/frame_test_support.hpp"

namespace media {
namespace {

using test::audio;
using test::video;

TEST(FrameQueue, FifoWithinBounds) {
  FrameQueue q({10, 10000});
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_EQ(q.front(), nullptr);
  q.push(video(0, true));
  q.push(audio(5));
  q.push(video(33, false));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.bytes(), 210u);
  ASSERT_NE(q.front(), nullptr);
  EXPECT_EQ((*q.front())->dts_ms, 0);
  EXPECT_EQ(q.pop()->dts_ms, 0);
  EXPECT_EQ(q.pop()->dts_ms, 5);
  EXPECT_EQ(q.pop()->dts_ms, 33);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.dropped_frames(), 0u);
}

TEST(FrameQueue, OverflowResyncsAtKeyframe) {
  FrameQueue q({4, 1 << 20});
  q.push(video(0, true));
  q.push(video(1, false));
  q.push(audio(2));
  q.push(video(3, false));
  q.push(video(4, false));  // fifth frame: overflow drops the 4 queued and this one
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.resyncing());
  EXPECT_EQ(q.dropped_frames(), 5u);
  EXPECT_EQ(q.overflows(), 1u);
  q.push(audio(5));
  q.push(video(6, false));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.dropped_frames(), 7u);
  q.push(video(7, true));
  q.push(audio(8));
  EXPECT_FALSE(q.resyncing());
  ASSERT_EQ(q.size(), 2u);
  EXPECT_TRUE(q.pop()->keyframe);
}

TEST(FrameQueue, OverflowOnKeyframeKeepsIt) {
  FrameQueue q({2, 1 << 20});
  q.push(video(0, true));
  q.push(video(1, false));
  q.push(video(2, true));
  EXPECT_FALSE(q.resyncing());
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop()->dts_ms, 2);
  EXPECT_EQ(q.dropped_frames(), 2u);
}

TEST(FrameQueue, ByteBound) {
  FrameQueue q({100, 250});
  q.push(video(0, true, 100));
  q.push(video(1, false, 100));
  q.push(video(2, false, 100));
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.resyncing());
}

TEST(FrameQueue, AudioOnlyResumesAtOnce) {
  FrameQueue q({3, 1 << 20});
  for (int i = 0; i < 3; ++i)
    q.push(audio(i));
  q.push(audio(3));
  EXPECT_FALSE(q.resyncing());
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop()->dts_ms, 3);
  EXPECT_EQ(q.dropped_frames(), 3u);
}

TEST(FrameQueue, OversizedKeyframeStillDelivered) {
  FrameQueue q({10, 1000});
  q.push(video(0, true, 5000));
  EXPECT_EQ(q.size(), 1u);
  q.push(video(1, false, 10));  // over the byte bound now: resync
  EXPECT_TRUE(q.empty());
  q.push(video(2, true, 5000));
  EXPECT_EQ(q.size(), 1u);
}

}  // namespace
}  // namespace media
