#include "av_sync_meter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using tools::whep_client::AvSyncMeter;

namespace {

// NTP for a number of milliseconds (32.32 fixed point).
uint64_t ntp_ms(double ms) {
  const double s = ms / 1000.0;
  const auto whole = static_cast<uint64_t>(s);
  return (whole << 32) | static_cast<uint64_t>((s - whole) * 4294967296.0);
}

// Beeps of 100 ms at 1 kHz every second, starting `audio_late_ms` after each keyframe.
AvSyncMeter run(double audio_late_ms, int keyframes = 5) {
  AvSyncMeter m;
  // Video clock starts at 1000, audio at 5000, both at sender time 1,000,000 ms.
  m.on_sender_report(true, ntp_ms(1'000'000), 1000);
  m.on_sender_report(false, ntp_ms(1'000'000), 5000);
  for (int s = 0; s < keyframes; ++s)
    m.on_keyframe(1000 + s * 90000);
  std::vector<float> pcm(960);
  for (int p = 0; p < 250; ++p) {  // 5 s of 20 ms mono packets
    for (int i = 0; i < 960; ++i) {
      const double t_ms = (p * 960 + i) / 48.0 - audio_late_ms;
      const double in_second = std::fmod(t_ms + 10000, 1000.0);
      pcm[i] = in_second < 100 ? static_cast<float>(0.8 * std::sin(2 * M_PI * t_ms)) : 0.0f;
    }
    m.on_audio(5000 + p * 960, pcm, 1);
  }
  return m;
}

}  // namespace

TEST(AvSyncMeter, InSyncMeasuresNearZero) {
  const auto r = run(0).result();
  ASSERT_TRUE(r);
  EXPECT_GE(r->pairs, 3u);
  EXPECT_NEAR(r->median_ms, 0, 1.0);
}

TEST(AvSyncMeter, LateAudioShowsAsNegativeOffset) {
  const auto r = run(30).result();
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->median_ms, -30, 1.0);
  EXPECT_NEAR(r->max_abs_ms, 30, 1.0);
}

TEST(AvSyncMeter, NeedsReportsOnBothTracks) {
  AvSyncMeter m;
  m.on_keyframe(1);
  m.on_keyframe(90001);
  EXPECT_FALSE(m.result());
}

// A server that paces audio still holds the last beeps when the client stops: keyframes past
// the decoded audio are not paired (they would read as "no beep within 400 ms").
TEST(AvSyncMeter, KeyframesBeyondTheDecodedAudioAreNotPaired) {
  const auto r = run(0, 6).result();  // 6 keyframes, 5 s of audio
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pairs, 4u);  // keyframes at 1..4 s; the one at 5 s has no audio after it
  EXPECT_NEAR(r->max_abs_ms, 0, 1.0);
}
