#include "app/rendition_feeds.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "media/flv_fixture_test_support.hpp"
#include "media/stream_registry.hpp"

namespace app {
namespace {

using namespace std::chrono_literals;

// What the feeds hand the workers and tell them to forget, seen from the test's thread.
struct Workers {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<const WebRtcFeed*, size_t> video_frames;
  std::vector<std::shared_ptr<WebRtcFeed>> forgotten;

  WebRtcFeed::Deliver deliver() {
    return [this](const WebRtcFeed* f, const webrtc::PacketizedFramePtr& p) {
      std::lock_guard lock(mutex);
      if (p->kind == webrtc::TrackKind::Video) ++video_frames[f];
      changed.notify_all();
    };
  }
  RenditionFeeds::Forget forget() {
    return [this](const std::shared_ptr<WebRtcFeed>& f) {
      std::lock_guard lock(mutex);
      forgotten.push_back(f);
    };
  }
  bool wait_frames(const WebRtcFeed* f, size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 20s, [&] { return video_frames[f] >= n; });
  }
  size_t frames(const WebRtcFeed* f) {
    std::lock_guard lock(mutex);
    return video_frames[f];
  }
};

class RenditionFeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source = media::test::read_flv("h264_high_bf3_320x240.flv");
    ASSERT_EQ(source.frames.size(), 60u);
    auto grant = registry.start_publish("live/x", {}, {});
    ASSERT_TRUE(grant.stream);
    stream = grant.stream;
    publisher = grant.publisher_id;
    config.rendition_idle_timeout = 0ms;
  }
  // The fixture as a live publisher delivers it: arrival stamped now.
  void publish() {
    for (const auto& f : source.frames) {
      auto live = std::make_shared<media::Frame>(f);
      live->arrival_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
      stream->push(publisher, live);
    }
  }

  media::test::FlvVideo source;
  media::StreamRegistry registry{{}};
  std::shared_ptr<media::Stream> stream;
  uint64_t publisher = 0;
  Config config;
  Workers workers;
};

const QualityChoice Small{"small", true, 160, 120, 200'000};

TEST_F(RenditionFeedsTest, SourceIsPassedThroughOnTheAudioFeed) {
  RenditionFeeds feeds(config, workers.deliver(), workers.forget());
  const auto lease = feeds.acquire("live/x", stream, QualityChoice{"source"});
  EXPECT_EQ(lease.video, lease.audio);
  EXPECT_EQ(feeds.totals().starts, 0u);
  EXPECT_TRUE(feeds.status("live/x").empty());
}

TEST_F(RenditionFeedsTest, TwoViewersShareOneEncoderThatStopsWhenIdle) {
  RenditionFeeds feeds(config, workers.deliver(), workers.forget());
  const auto first = feeds.acquire("live/x", stream, Small);
  const auto second = feeds.acquire("live/x", stream, Small);
  EXPECT_EQ(first.video, second.video);
  EXPECT_EQ(first.audio, second.audio);
  EXPECT_NE(first.video, first.audio);
  publish();
  ASSERT_TRUE(workers.wait_frames(first.video.get(), 40)) << workers.frames(first.video.get());
  auto totals = feeds.totals();
  EXPECT_EQ(totals.running, 1u);
  EXPECT_EQ(totals.starts, 1u);
  const auto status = feeds.status("live/x");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].viewers, 2u);
  EXPECT_EQ(status[0].encoder.transcoder.output_width, 160u);

  feeds.release("live/x", first.held);
  feeds.sweep(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(feeds.totals().running, 1u) << "one viewer still watches";
  feeds.release("live/x", second.held);
  feeds.sweep(std::chrono::steady_clock::now() + 1s);
  totals = feeds.totals();
  EXPECT_EQ(totals.running, 0u);
  EXPECT_EQ(totals.stops, 1u);
  EXPECT_GE(totals.frames_out, 40u);
  // The encoder's feed, then (no lease and no rendition left) the pass-through feed.
  std::lock_guard lock(workers.mutex);
  ASSERT_EQ(workers.forgotten.size(), 2u);
  EXPECT_EQ(workers.forgotten[0], first.video);
  EXPECT_EQ(workers.forgotten[1], first.audio);
}

// The pass-through feed reads the stream only while someone holds it: after the last viewer
// and renditionIdleTimeout it unsubscribes (its AAC transcoding stops), the workers forget it,
// and a stream whose publisher has gone leaves the registry. A new viewer gets a new feed.
TEST_F(RenditionFeedsTest, SourceFeedIsLetGoAfterItsLastViewer) {
  config.rendition_idle_timeout = 10s;
  RenditionFeeds feeds(config, workers.deliver(), workers.forget(), nullptr, &registry);
  const auto a = feeds.acquire("live/x", stream, QualityChoice{"source"});
  const auto b = feeds.acquire("live/x", stream, QualityChoice{"source"});
  EXPECT_EQ(a.audio, b.audio);
  EXPECT_FALSE(a.held.encoded);
  registry.stop_publish(stream, publisher);
  EXPECT_EQ(registry.find("live/x"), stream) << "read by the feed";
  feeds.release("live/x", a.held);
  feeds.sweep(std::chrono::steady_clock::now() + 20s);
  EXPECT_EQ(feeds.source("live/x", stream), a.audio) << "one viewer still holds it";
  feeds.release("live/x", b.held);
  feeds.sweep(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(registry.find("live/x"), stream) << "idle for less than the timeout";
  feeds.sweep(std::chrono::steady_clock::now() + 11s);
  EXPECT_EQ(registry.find("live/x"), nullptr);
  {
    std::lock_guard lock(workers.mutex);
    ASSERT_EQ(workers.forgotten.size(), 1u);
    EXPECT_EQ(workers.forgotten[0], a.audio);
  }
  // A publisher comes back: a new stream object, a new feed reading it.
  auto again = registry.start_publish("live/x", {}, {});
  const auto c = feeds.acquire("live/x", again.stream, QualityChoice{"source"});
  EXPECT_NE(c.audio, a.audio);
  feeds.release("live/x", c.held);
}

// A source made (e.g. to read the stream's format) but never acquired goes the same way.
TEST_F(RenditionFeedsTest, SourceNobodyAcquiredIsLetGoToo) {
  RenditionFeeds feeds(config, workers.deliver(), workers.forget(), nullptr, &registry);
  const auto feed = feeds.source("live/x", stream);
  feeds.sweep(std::chrono::steady_clock::now() + 1s);
  std::lock_guard lock(workers.mutex);
  ASSERT_EQ(workers.forgotten.size(), 1u);
  EXPECT_EQ(workers.forgotten[0], feed);
}

TEST_F(RenditionFeedsTest, ReleaseOfWhatWasNeverTakenIsHarmless) {
  RenditionFeeds feeds(config, workers.deliver(), workers.forget());
  feeds.release("live/none", {"small", true});
  feeds.release("live/x", {"source"});
  feeds.sweep(std::chrono::steady_clock::now());
  EXPECT_EQ(feeds.totals().stops, 0u);
}

}  // namespace
}  // namespace app
