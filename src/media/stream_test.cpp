#include "media/stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "media/frame_test_support.hpp"
#include "media/stream_registry.hpp"

namespace media {
namespace {

FramePtr video(int64_t dts, bool key) {
  return test::video(dts, key, 50);
}
FramePtr audio(int64_t dts) {
  return test::audio(dts, 5);
}

class RecordingReader : public StreamReader {
 public:
  void on_frame(const FramePtr& frame) override {
    std::lock_guard lock(mutex);
    frames.push_back(frame);
  }
  void on_publisher_stopped() override { ++stopped; }
  std::vector<int64_t> dts() {
    std::lock_guard lock(mutex);
    std::vector<int64_t> out;
    for (const auto& f : frames)
      out.push_back(f->dts_ms);
    return out;
  }

  std::mutex mutex;
  std::vector<FramePtr> frames;
  std::atomic<int> stopped{0};
};

class Listener : public PublisherListener {
 public:
  void on_replaced() override { ++replaced; }
  std::atomic<int> replaced{0};
};

PublisherInfo info(const char* address, uint64_t session) {
  PublisherInfo i;
  i.remote_address = address;
  i.session_id = session;
  i.publish_start_ms = 1000 + static_cast<int64_t>(session);
  return i;
}

TEST(Stream, SubscribeDeliversGopThenLive) {
  StreamRegistry registry({});
  auto listener = std::make_shared<Listener>();
  auto grant = registry.start_publish("live/stream", info("1.2.3.4:5", 1), listener);
  ASSERT_TRUE(grant.stream);
  EXPECT_TRUE(grant.error.empty());
  EXPECT_FALSE(grant.replaced_previous);
  auto& s = *grant.stream;
  s.push(grant.publisher_id, video(0, false));  // before a keyframe: not cached
  s.push(grant.publisher_id, video(33, true));
  s.push(grant.publisher_id, audio(40));
  s.push(grant.publisher_id, video(66, false));
  auto reader = std::make_shared<RecordingReader>();
  s.subscribe(reader);
  EXPECT_EQ(reader->dts(), (std::vector<int64_t>{33, 40, 66}));
  s.push(grant.publisher_id, video(100, false));
  EXPECT_EQ(reader->dts(), (std::vector<int64_t>{33, 40, 66, 100}));
  s.subscribe(reader);  // twice: no duplicate delivery
  s.push(grant.publisher_id, audio(110));
  EXPECT_EQ(reader->dts().size(), 5u);
  EXPECT_EQ(s.reader_count(), 1u);
  s.unsubscribe(reader.get());
  s.push(grant.publisher_id, audio(120));
  EXPECT_EQ(reader->dts().size(), 5u);

  const auto st = s.status();
  EXPECT_EQ(st.path, "live/stream");
  EXPECT_TRUE(st.active);
  EXPECT_EQ(st.publisher_address, "1.2.3.4:5");
  EXPECT_EQ(st.publish_start_ms, 1001);
  EXPECT_EQ(st.frames_in, 7u);
  EXPECT_EQ(st.readers, 0u);
}

TEST(Stream, AudioOnlyReaderStartsLive) {
  StreamRegistry registry({});
  auto grant = registry.start_publish("live/a", info("x", 1), {});
  for (int i = 0; i < 10; ++i)
    grant.stream->push(grant.publisher_id, audio(i * 21));
  auto reader = std::make_shared<RecordingReader>();
  grant.stream->subscribe(reader);
  EXPECT_TRUE(reader->dts().empty());
  grant.stream->push(grant.publisher_id, audio(300));
  EXPECT_EQ(reader->dts(), (std::vector<int64_t>{300}));
}

TEST(StreamRegistry, TakeoverReplacesPublisher) {
  StreamRegistry registry({});
  auto first = std::make_shared<Listener>();
  auto a = registry.start_publish("live/stream", info("phone:1", 1), first);
  a.stream->push(a.publisher_id, video(0, true));
  auto reader = std::make_shared<RecordingReader>();
  auto rs = registry.open_for_reading("live/stream");
  EXPECT_EQ(rs, a.stream);
  rs->subscribe(reader);
  ASSERT_EQ(reader->dts().size(), 1u);

  auto second = std::make_shared<Listener>();
  auto b = registry.start_publish("live/stream", info("phone:2", 2), second);
  ASSERT_TRUE(b.stream);
  EXPECT_TRUE(b.replaced_previous);
  EXPECT_EQ(b.stream, a.stream);
  EXPECT_NE(b.publisher_id, a.publisher_id);
  EXPECT_EQ(first->replaced.load(), 1);
  EXPECT_EQ(second->replaced.load(), 0);
  EXPECT_EQ(reader->stopped.load(), 1);

  a.stream->push(a.publisher_id, video(5000, true));  // the old publisher is ignored
  EXPECT_EQ(reader->dts().size(), 1u);
  b.stream->push(b.publisher_id, video(10, true));
  EXPECT_EQ(reader->dts(), (std::vector<int64_t>{0, 10}));
  EXPECT_EQ(b.stream->status().publisher_address, "phone:2");

  registry.stop_publish(a.stream, a.publisher_id);  // late stop of the old one: no effect
  EXPECT_TRUE(b.stream->has_publisher());
  EXPECT_EQ(reader->stopped.load(), 1);
  // A subscriber after the takeover sees only the new publisher's GOP.
  auto late = std::make_shared<RecordingReader>();
  b.stream->subscribe(late);
  EXPECT_EQ(late->dts(), (std::vector<int64_t>{10}));
}

TEST(StreamRegistry, RefusesSecondPublisherWithoutTakeover) {
  StreamRegistry::Options options;
  options.publisher_takeover = false;
  StreamRegistry registry(options);
  auto first = std::make_shared<Listener>();
  auto a = registry.start_publish("live/stream", info("a", 1), first);
  ASSERT_TRUE(a.stream);
  auto b = registry.start_publish("live/stream", info("b", 2), {});
  EXPECT_FALSE(b.stream);
  EXPECT_EQ(b.publisher_id, 0u);
  EXPECT_EQ(b.error, "path live/stream is already being published");
  EXPECT_EQ(first->replaced.load(), 0);
  registry.stop_publish(a.stream, a.publisher_id);
  auto c = registry.start_publish("live/stream", info("c", 3), {});
  EXPECT_TRUE(c.stream);
}

TEST(StreamRegistry, IdleStreamsAreRemoved) {
  StreamRegistry registry({});
  auto a = registry.start_publish("live/one", info("a", 1), {});
  EXPECT_EQ(registry.find("live/one"), a.stream);
  EXPECT_EQ(registry.list().size(), 1u);
  registry.stop_publish(a.stream, a.publisher_id);
  EXPECT_EQ(registry.find("live/one"), nullptr);
  EXPECT_TRUE(registry.list().empty());

  // A reader keeps the path alive while no one publishes, and gets the publisher when it comes.
  auto reader = std::make_shared<RecordingReader>();
  auto rs = registry.open_for_reading("live/two");
  ASSERT_TRUE(rs);
  EXPECT_FALSE(rs->has_publisher());
  rs->subscribe(reader);
  auto p = registry.start_publish("live/two", info("p", 2), {});
  EXPECT_EQ(p.stream, rs);
  p.stream->push(p.publisher_id, video(0, true));
  EXPECT_EQ(reader->dts().size(), 1u);
  registry.stop_publish(p.stream, p.publisher_id);
  EXPECT_EQ(reader->stopped.load(), 1);
  EXPECT_EQ(registry.find("live/two"), rs);  // reader still there
  const auto st = registry.list();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_FALSE(st[0].active);
  EXPECT_EQ(st[0].readers, 1u);
  registry.close_reader(rs, reader.get());
  EXPECT_EQ(registry.find("live/two"), nullptr);
}

TEST(StreamRegistry, OpenedStreamSurvivesUntilSubscribeOrClose) {
  StreamRegistry registry({});
  auto p = registry.start_publish("live/s", info("p", 1), {});
  auto rs = registry.open_for_reading("live/s");
  registry.stop_publish(p.stream, p.publisher_id);  // between open and subscribe
  EXPECT_EQ(registry.find("live/s"), rs);
  auto reader = std::make_shared<RecordingReader>();
  rs->subscribe(reader);
  auto again = registry.start_publish("live/s", info("p", 2), {});
  EXPECT_EQ(again.stream, rs);
  registry.stop_publish(again.stream, again.publisher_id);
  registry.close_reader(rs, reader.get());
  EXPECT_EQ(registry.find("live/s"), nullptr);
  auto never = registry.open_for_reading("live/t");  // opened, never subscribed
  registry.close_reader(never, nullptr);
  EXPECT_EQ(registry.find("live/t"), nullptr);
}

TEST(StreamRegistry, DeadListenerIsNotCalled) {
  StreamRegistry registry({});
  auto first = std::make_shared<Listener>();
  auto a = registry.start_publish("live/x", info("a", 1), first);
  first.reset();
  auto b = registry.start_publish("live/x", info("b", 2), {});
  EXPECT_TRUE(b.replaced_previous);
}

// One publisher thread pushes numbered frames while reader threads subscribe and unsubscribe.
// Each subscription must see a contiguous run of frame numbers starting at a keyframe: the GOP and
// the live frames join with no gap and no duplicate.
TEST(StreamRegistry, ConcurrentPublishAndReaders) {
  StreamRegistry::Options options;
  options.limits.gop_cache_max_frames = 64;
  StreamRegistry registry(options);
  auto grant = registry.start_publish("live/c", info("p", 1), {});
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::atomic<int> checked{0};
  int pushed = 0;
  std::thread publisher([&] {
    // Runs until the readers have done enough subscriptions (bounded for a broken build).
    for (; pushed < 2000000 && (pushed < 20000 || checked < 300); ++pushed) {
      const int i = pushed;
      grant.stream->push(grant.publisher_id, i % 3 == 1 ? audio(i) : video(i, i % 30 == 0));
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937 rng(t);
      while (!done) {
        auto reader = std::make_shared<RecordingReader>();
        auto stream = registry.open_for_reading("live/c");
        stream->subscribe(reader);
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 500));
        registry.close_reader(stream, reader.get());
        const auto d = reader->dts();
        for (size_t i = 1; i < d.size(); ++i) {
          if (d[i] != d[i - 1] + 1) ++bad;
        }
        // GOPs (30 frames) never overflow the cache (64), and frame 0 is a keyframe: every
        // subscription starts at a keyframe.
        std::lock_guard lock(reader->mutex);
        if (!reader->frames.empty() && !reader->frames.front()->keyframe) ++bad;
        if (!reader->frames.empty() && reader->frames.front()->kind != TrackKind::Video) ++bad;
        ++checked;
      }
    });
  }
  publisher.join();
  for (auto& r : readers)
    r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GE(checked.load(), 300);
  EXPECT_EQ(grant.stream->reader_count(), 0u);
  EXPECT_EQ(grant.stream->status().frames_in, static_cast<uint64_t>(pushed));
}

}  // namespace
}  // namespace media
