#include "app/webrtc_feed.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "media/aac_config.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace app {
namespace {

constexpr int64_t kMs = 1'000'000;

// The phone's microphone (AAC-LC 32 kHz stereo) from the repository's fixture: raw access
// units split from ADTS (ISO/IEC 14496-3 1.A.2) and the AudioSpecificConfig they imply.
struct Aac {
  std::shared_ptr<const media::AudioConfig> config;
  std::vector<std::vector<uint8_t>> units;
};

Aac read_phone_aac() {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
                    "tests/data/audio/sine1k_32k_stereo.aac";
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  Aac aac;
  for (size_t pos = 0; pos + 7 <= b.size();) {
    const size_t len = ((b[pos + 3] & 0x03u) << 11) | (b[pos + 4] << 3) | (b[pos + 5] >> 5);
    const size_t header = (b[pos + 1] & 0x01) ? 7 : 9;
    if (b[pos] != 0xFF || len < header || pos + len > b.size()) break;
    if (!aac.config) {
      const uint8_t profile = b[pos + 2] >> 6;
      const uint8_t sfi = (b[pos + 2] >> 2) & 0x0F;
      const uint8_t ch = static_cast<uint8_t>(((b[pos + 2] & 1) << 2) | (b[pos + 3] >> 6));
      const std::vector<uint8_t> asc = {static_cast<uint8_t>(((profile + 1) << 3) | (sfi >> 1)),
                                        static_cast<uint8_t>(((sfi & 1) << 7) | (ch << 3))};
      const auto parsed = media::AacConfig::parse(asc);
      if (!parsed) break;
      aac.config = std::make_shared<const media::AudioConfig>(parsed->to_audio_config(asc));
    }
    aac.units.emplace_back(b.begin() + static_cast<std::ptrdiff_t>(pos + header),
                           b.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  }
  return aac;
}

struct Delivered {
  std::vector<webrtc::PacketizedFramePtr> video;
  std::vector<webrtc::PacketizedFramePtr> audio;
  // What a feed hands the workers, kept here by track.
  WebRtcFeed::Deliver sink() {
    return [this](const WebRtcFeed*, const webrtc::PacketizedFramePtr& p) {
      (p->kind == webrtc::TrackKind::Video ? video : audio).push_back(p);
    };
  }
};

// One publish: `ms` of 30 fps video (a keyframe first) and 32 ms AAC frames, the publisher's
// clock starting at `pts0`, arriving from `arrival0_ms` on the steady clock as it runs.
void publish(WebRtcFeed& feed, const Aac& aac, size_t& unit, int64_t pts0, int64_t arrival0_ms,
             int64_t ms) {
  int64_t v = 0, a = 0;
  while (v < ms || a < ms) {
    if (v <= a) {
      auto f = std::make_shared<media::Frame>(*webrtc::test::h264_frame(v == 0, pts0 + v, 300));
      f->arrival_ns = (arrival0_ms + v) * kMs;
      feed.on_frame(f);
      v += 33;
    } else {
      auto f = std::make_shared<media::Frame>();
      f->kind = media::TrackKind::Audio;
      f->codec = media::Codec::AAC;
      f->audio = aac.config;
      f->data = aac.units[unit++ % aac.units.size()];
      f->dts_ms = pts0 + a;
      f->arrival_ns = (arrival0_ms + a) * kMs;
      feed.on_frame(f);
      a += 32;
    }
  }
}

// What a sender report states: each track's RTP time is an affine function of sync_ns, so a
// viewer's clock mapping holds across the restart. Checked frame by frame within `slack`.
void expect_one_mapping(const std::vector<webrtc::PacketizedFramePtr>& frames, double rate,
                        double slack) {
  ASSERT_FALSE(frames.empty());
  const auto& first = *frames.front();
  int64_t unwrapped = 0;
  uint32_t prev = first.rtp_timestamp;
  for (const auto& f : frames) {
    unwrapped += static_cast<int32_t>(f->rtp_timestamp - prev);
    prev = f->rtp_timestamp;
    const double expected = static_cast<double>(f->sync_ns - first.sync_ns) * rate / 1e9;
    ASSERT_NEAR(static_cast<double>(unwrapped), expected, slack) << "sync_ns " << f->sync_ns;
  }
}

size_t restart_index(const std::vector<webrtc::PacketizedFramePtr>& frames) {
  for (size_t i = 1; i < frames.size(); ++i) {
    if (frames[i]->discontinuity) return i;
  }
  return 0;
}

// With a runner, the caller (the publisher's thread, under the stream's lock) only queues: no
// packet is made until the runner runs the work, in order; the stream's video config is
// visible at once for a viewer's offer.
TEST(WebRtcFeed, WithARunnerTheCallerOnlyQueues) {
  const auto aac = read_phone_aac();
  ASSERT_FALSE(aac.units.empty());
  Delivered out;
  auto feed = std::make_shared<WebRtcFeed>("live/stream", 1, 2, 64000, out.sink());
  std::vector<std::function<void()>> queued;
  feed->set_runner([&queued](std::function<void()> work) { queued.push_back(std::move(work)); });
  size_t unit = 0;
  publish(*feed, aac, unit, 0, 1000, 200);
  EXPECT_TRUE(out.video.empty());
  EXPECT_TRUE(out.audio.empty());
  EXPECT_TRUE(feed->video_config());
  feed->on_publisher_stopped();
  std::weak_ptr<WebRtcFeed> weak = feed;
  feed.reset();  // the queued work keeps the feed alive
  for (auto& work : queued)
    work();
  queued.clear();
  EXPECT_EQ(out.video.size(), 7u);  // 0, 33, ... 198 ms
  EXPECT_FALSE(out.audio.empty());
  EXPECT_TRUE(weak.expired());
}

TEST(WebRtcFeed, PublisherRestartAdvancesBothTracksByTheGapOnOneClock) {
  const Aac aac = read_phone_aac();
  ASSERT_TRUE(aac.config);
  ASSERT_GT(aac.units.size(), 30u);  // about 1 s, looped
  Delivered out;
  WebRtcFeed feed("live/stream", 0x1111, 0x2222, 64000, out.sink());
  size_t unit = 0;
  publish(feed, aac, unit, 40000, 1000, 3000);
  feed.on_publisher_stopped();
  // The phone rotates: back 2 s after its last frames, its clock starting at 0.
  publish(feed, aac, unit, 0, 1000 + 3000 + 2000, 3000);

  const size_t v = restart_index(out.video);
  const size_t a = restart_index(out.audio);
  ASSERT_GT(v, 0u);
  ASSERT_GT(a, 0u);
  const uint32_t video_jump = out.video[v]->rtp_timestamp - out.video[v - 1]->rtp_timestamp;
  const uint32_t audio_jump = out.audio[a]->rtp_timestamp - out.audio[a - 1]->rtp_timestamp;
  // From the last frame to the first of the new publish: 2 s plus one frame interval (video)
  // plus the transcoder's tail (audio: its last packet starts up to 20 ms before the end).
  EXPECT_NEAR(video_jump, 2.033 * 90000, 3000);
  EXPECT_NEAR(audio_jump, 2.0 * 48000, 4 * 960);
  for (size_t i = 1; i < out.video.size(); ++i) {
    EXPECT_EQ(out.video[i]->first_seq,
              static_cast<uint16_t>(out.video[i - 1]->first_seq + out.video[i - 1]->count()));
  }
  for (size_t i = 1; i < out.audio.size(); ++i) {
    EXPECT_EQ(out.audio[i]->first_seq, static_cast<uint16_t>(out.audio[i - 1]->first_seq + 1));
  }
  expect_one_mapping(out.video, 90000, 90);  // 1 ms: only rounding
  expect_one_mapping(out.audio, 48000, 48);
}

TEST(WebRtcFeed, QuickReconnectKeepsTheTimelineContinuous) {
  const Aac aac = read_phone_aac();
  ASSERT_TRUE(aac.config);
  Delivered out;
  WebRtcFeed feed("live/stream", 1, 2, 64000, out.sink());
  size_t unit = 0;
  publish(feed, aac, unit, 40000, 1000, 1000);
  feed.on_publisher_stopped();
  publish(feed, aac, unit, 0, 1000 + 1000, 1000);  // a takeover: 10 ms after the last frame
  const size_t v = restart_index(out.video);
  const size_t a = restart_index(out.audio);
  ASSERT_GT(v, 0u);
  ASSERT_GT(a, 0u);
  // Timestamps still move on by at least a frame (or a packet), so the mapping to the sync
  // clock may be off by that much, never more.
  EXPECT_EQ(out.video[v]->rtp_timestamp - out.video[v - 1]->rtp_timestamp, 3000u);
  EXPECT_EQ(out.audio[a]->rtp_timestamp - out.audio[a - 1]->rtp_timestamp, 960u);
  expect_one_mapping(out.video, 90000, 3000);
  expect_one_mapping(out.audio, 48000, 960);
}

}  // namespace
}  // namespace app
