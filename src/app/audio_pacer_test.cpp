#include "app/audio_pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace app {
namespace {

constexpr int64_t Ms = 1'000'000;

webrtc::PacketizedFramePtr packet(int64_t sync_ms, bool discontinuity = false) {
  auto f = std::make_shared<webrtc::PacketizedFrame>();
  f->kind = webrtc::TrackKind::Audio;
  f->sync_ns = sync_ms * Ms;
  f->discontinuity = discontinuity;
  return f;
}

// What the transcoder does with 32 ms AAC frames: 20 ms Opus packets come out when the frame
// holding their last sample arrives, one or two at a time.
struct Burst {
  int64_t now_ms;
  std::vector<int64_t> sync_ms;
};

TEST(AudioPacer, SpreadsTranscoderBurstsOntoTheMediaClock) {
  AudioPacer pacer;
  const std::vector<Burst> bursts = {{32, {}},        {64, {0, 20}},     {96, {40}},
                                     {128, {60, 80}}, {160, {100, 120}}, {192, {140}}};
  std::vector<int64_t> due;
  for (const auto& b : bursts) {
    for (int64_t s : b.sync_ms)
      due.push_back(pacer.push(packet(s), b.now_ms * Ms));
  }
  // Lateness: 64, 44, 56, 68, 48, 60, 40, 52 ms: each packet leaves at its sync time plus
  // the largest lateness seen up to it, never earlier than the packet before it.
  const std::vector<int64_t> want = {64, 84, 104, 128, 148, 168, 188, 208};
  ASSERT_EQ(due.size(), want.size());
  for (size_t i = 0; i < due.size(); ++i)
    EXPECT_EQ(due[i], want[i] * Ms) << i;
  EXPECT_EQ(pacer.offset_ns(), 68 * Ms);
}

TEST(AudioPacer, ReleasesInOrderWhenDue) {
  AudioPacer pacer;
  pacer.push(packet(0), 40 * Ms);
  pacer.push(packet(20), 40 * Ms);
  ASSERT_EQ(pacer.next_due(), 40 * Ms);
  std::vector<webrtc::PacketizedFramePtr> out;
  EXPECT_EQ(pacer.pop_due(40 * Ms, out), 1u);
  EXPECT_EQ(out[0]->sync_ns, 0);
  EXPECT_EQ(pacer.next_due(), 60 * Ms);
  EXPECT_EQ(pacer.pop_due(59 * Ms, out), 0u);
  EXPECT_EQ(pacer.pop_due(60 * Ms, out), 1u);
  EXPECT_EQ(out[1]->sync_ns, 20 * Ms);
  EXPECT_FALSE(pacer.next_due());
}

TEST(AudioPacer, EvenInputPassesWithoutDelay) {
  AudioPacer pacer;
  for (int64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(pacer.push(packet(i * 20), (i * 20 + 5) * Ms), (i * 20 + 5) * Ms);
  }
}

TEST(AudioPacer, ForgetsLatenessAfterTheWindow) {
  AudioPacer pacer(AudioPacer::Config{.window_ns = 1000 * Ms});
  pacer.push(packet(0), 50 * Ms);  // one late packet
  std::vector<webrtc::PacketizedFramePtr> out;
  pacer.pop_due(50 * Ms, out);
  EXPECT_EQ(pacer.push(packet(500), 510 * Ms), 550 * Ms);  // still within the window
  pacer.pop_due(550 * Ms, out);
  EXPECT_EQ(pacer.push(packet(1020), 1030 * Ms), 1030 * Ms);  // forgotten
}

TEST(AudioPacer, NeverHoldsLongerThanTheCap) {
  AudioPacer pacer(AudioPacer::Config{.max_hold_ns = 30 * Ms});
  pacer.push(packet(0), 200 * Ms);  // a publisher stall: 200 ms late
  std::vector<webrtc::PacketizedFramePtr> out;
  pacer.pop_due(200 * Ms, out);
  EXPECT_EQ(pacer.push(packet(20), 200 * Ms), 220 * Ms);   // 20 + 200, within the cap
  EXPECT_EQ(pacer.push(packet(300), 305 * Ms), 335 * Ms);  // 300 + 200 capped to now + 30
}

TEST(AudioPacer, NewTimelineStartsFresh) {
  AudioPacer pacer;
  pacer.push(packet(1000), 1080 * Ms);
  std::vector<webrtc::PacketizedFramePtr> out;
  pacer.pop_due(1080 * Ms, out);
  // A publisher restart maps its first packet to its arrival: old lateness must not apply.
  EXPECT_EQ(pacer.push(packet(5000, true), 5000 * Ms), 5000 * Ms);
  pacer.pop_due(5000 * Ms, out);
  EXPECT_EQ(pacer.push(packet(100), 6000 * Ms), 6000 * Ms);  // backwards: also fresh
  pacer.reset();
  EXPECT_EQ(pacer.push(packet(0), 7000 * Ms), 7000 * Ms);
}

TEST(AudioPacer, BoundedQueueDropsTheOldest) {
  AudioPacer pacer(AudioPacer::Config{.max_queue = 4});
  for (int64_t i = 0; i < 6; ++i)
    pacer.push(packet(i * 20), 0);
  EXPECT_EQ(pacer.queued(), 4u);
  EXPECT_EQ(pacer.dropped(), 2u);
}

}  // namespace
}  // namespace app
