#include "webrtc/packet_history.hpp"

#include <gtest/gtest.h>

#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

struct Fixture {
  webrtc::VideoTrackPacketizer packetizer{7, 65500, 0};
  webrtc::PacketHistory history{{.max_packets = 200, .min_age_ns = 1'000'000'000}};
  webrtc::PacketizedFramePtr add(bool key, int64_t ms, size_t size = 3000) {
    auto f = packetizer.packetize(*webrtc::test::h264_frame(key, ms, size));
    history.append(f);
    return f;
  }
};

}  // namespace

TEST(PacketHistory, StartsFromTheLatestKeyframe) {
  Fixture f;
  EXPECT_TRUE(f.history.since_keyframe().empty());
  f.add(true, 0);
  f.add(false, 33);
  auto k2 = f.add(true, 66);
  f.add(false, 100);
  const auto gop = f.history.since_keyframe();
  ASSERT_EQ(gop.size(), 2u);
  EXPECT_EQ(gop.front(), k2);
}

TEST(PacketHistory, FindsPacketsAcrossSequenceWrap) {
  Fixture f;
  std::vector<webrtc::PacketizedFramePtr> frames;
  for (int i = 0; i < 20; ++i)
    frames.push_back(f.add(i == 0, i * 33));
  for (const auto& fr : frames) {
    for (size_t i = 0; i < fr->count(); ++i) {
      const auto seq = static_cast<uint16_t>(fr->first_seq + i);
      auto p = f.history.find(seq);
      ASSERT_TRUE(p) << seq;
      EXPECT_EQ(p->data(), fr->packet(i).data());
    }
  }
  EXPECT_FALSE(f.history.find(static_cast<uint16_t>(frames.back()->first_seq + 500)));
  EXPECT_FALSE(f.history.find(static_cast<uint16_t>(frames.front()->first_seq - 1)));
}

TEST(PacketHistory, DropsOldFramesButKeepsTheGopWithinBounds) {
  Fixture f;
  f.add(true, 0, 1000);
  for (int i = 1; i < 90; ++i)
    f.add(false, i * 33, 1000);        // 3 s, one GOP
  EXPECT_EQ(f.history.frames(), 90u);  // the whole GOP stays for joiners
  f.add(true, 3000, 1000);
  for (int i = 1; i < 45; ++i)
    f.add(false, 3000 + i * 33, 1000);
  // Frames before the new keyframe and older than 1 s are gone.
  EXPECT_LE(f.history.frames(), 45u + 31u);
  for (int i = 0; i < 400; ++i)
    f.add(false, 5000 + i * 33, 1000);
  EXPECT_LE(f.history.packets(), 200u);  // memory bound wins over the GOP
}

TEST(PacketHistory, PublisherRestartClearsHistory) {
  Fixture f;
  f.add(true, 0);
  f.add(false, 33);
  f.packetizer.mark_discontinuity();
  f.add(true, 0);
  EXPECT_EQ(f.history.frames(), 1u);
}

TEST(PacketHistory, MeasuresTheStreamBitrateOverWhatItHolds) {
  webrtc::PacketHistory history;
  EXPECT_EQ(history.bitrate_bps(), 0u);
  webrtc::VideoTrackPacketizer packetizer{1, 0, 0};
  // 30 frames a second of about 12,500 bytes: about 3 Mbit/s on the wire.
  for (int i = 0; i < 60; ++i)
    history.append(packetizer.packetize(*webrtc::test::h264_frame(i % 30 == 0, i * 33, 12400)));
  const double bps = static_cast<double>(history.bitrate_bps());
  EXPECT_GT(bps, 2.9e6);
  EXPECT_LT(bps, 3.3e6);
}
