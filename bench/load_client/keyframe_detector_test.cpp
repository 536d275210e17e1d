#include "load_client/keyframe_detector.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace bench::load_client {
namespace {

using Bytes = std::vector<uint8_t>;

// RFC 6184 5.7.1: STAP-A with SPS (0x67) and PPS (0x68).
const Bytes StapSpsPps = {0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce};
// RFC 6184 5.8: FU indicator (type 28, NRI 3) + FU header S/E + IDR type 5.
const Bytes FuIdrStart = {0x7c, 0x85, 0xaa};
const Bytes FuIdrMiddle = {0x7c, 0x05, 0xbb};
const Bytes FuIdrEnd = {0x7c, 0x45, 0xcc};
const Bytes SingleIdr = {0x65, 0x88};
const Bytes SinglePSlice = {0x41, 0x9a};

TEST(KeyframeDetector, WholeKeyframeCompletesOnItsMarker) {
  KeyframeDetector d;
  EXPECT_FALSE(d.on_packet(10, 900, false, StapSpsPps));
  EXPECT_FALSE(d.on_packet(11, 900, false, FuIdrStart));
  EXPECT_FALSE(d.on_packet(12, 900, false, FuIdrMiddle));
  EXPECT_TRUE(d.on_packet(13, 900, true, FuIdrEnd));
  EXPECT_TRUE(d.done());
  // Only once.
  EXPECT_FALSE(d.on_packet(14, 1800, false, StapSpsPps));
  EXPECT_FALSE(d.on_packet(15, 1800, true, SingleIdr));
}

TEST(KeyframeDetector, GapInsideTheKeyframeIsNotWhole) {
  KeyframeDetector d;
  d.on_packet(10, 900, false, StapSpsPps);
  d.on_packet(11, 900, false, FuIdrStart);
  EXPECT_FALSE(d.on_packet(13, 900, true, FuIdrEnd));  // 12 lost
  EXPECT_FALSE(d.done());
  // The next keyframe counts.
  d.on_packet(20, 2700, false, StapSpsPps);
  EXPECT_TRUE(d.on_packet(21, 2700, true, SingleIdr));
}

TEST(KeyframeDetector, JoiningMidKeyframeWaitsForTheNextSps) {
  KeyframeDetector d;
  EXPECT_FALSE(d.on_packet(11, 900, false, FuIdrStart));
  EXPECT_FALSE(d.on_packet(12, 900, true, FuIdrEnd));
  EXPECT_FALSE(d.done());
}

TEST(KeyframeDetector, FragmentRunLeftOpenIsNotWhole) {
  KeyframeDetector d;
  d.on_packet(1, 90, false, StapSpsPps);
  d.on_packet(2, 90, false, FuIdrStart);
  EXPECT_FALSE(d.on_packet(3, 90, true, FuIdrMiddle));  // marker without the end fragment
  EXPECT_FALSE(d.done());
}

TEST(KeyframeDetector, NonIdrFrameWithSpsIsNoKeyframe) {
  KeyframeDetector d;
  d.on_packet(1, 90, false, StapSpsPps);
  EXPECT_FALSE(d.on_packet(2, 90, true, SinglePSlice));
  EXPECT_FALSE(d.done());
}

TEST(KeyframeDetector, TimestampChangeWithoutMarkerAbandonsTheUnit) {
  KeyframeDetector d;
  d.on_packet(1, 90, false, StapSpsPps);
  EXPECT_FALSE(d.on_packet(2, 180, true, SingleIdr));  // marker of 90 lost: new unit, no SPS
  EXPECT_FALSE(d.done());
}

TEST(KeyframeDetector, MalformedStapAIsNotWhole) {
  KeyframeDetector d;
  const Bytes truncated = {0x18, 0x00, 0x09, 0x67, 0x42};  // size past the end
  d.on_packet(1, 90, false, StapSpsPps);
  d.on_packet(2, 90, false, truncated);
  EXPECT_FALSE(d.on_packet(3, 90, true, SingleIdr));
  EXPECT_FALSE(d.on_packet(4, 180, true, Bytes{}));  // empty payload
  EXPECT_FALSE(d.done());
}

TEST(KeyframeDetector, RandomPayloadsNeverCrash) {
  std::mt19937 rng(8);
  KeyframeDetector d;
  for (int i = 0; i < 5000; ++i) {
    Bytes b(rng() % 40);
    for (auto& x : b)
      x = static_cast<uint8_t>(rng());
    d.on_packet(static_cast<uint16_t>(rng()), rng() % 4, (rng() & 1) != 0, b);
  }
  SUCCEED();
}

}  // namespace
}  // namespace bench::load_client
