#include "media/rendition_encoder.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "media/flv_fixture_test_support.hpp"

namespace media {
namespace {

using namespace std::chrono_literals;
constexpr auto Patience = 20s;  // generous: the ASan build on two shared cores is slow

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A fixture frame as ingest would hand it over now (or `age` ago).
FramePtr arriving(const Frame& f, std::chrono::nanoseconds age = 0ns) {
  auto copy = std::make_shared<Frame>(f);
  copy->arrival_ns = steady_ns() - age.count();
  return copy;
}

// The encoder's output: frames and end-of-publish events in the order they came, on the
// encoder thread. close_gate() holds that thread inside on_frame until open_gate().
class CapturingOutput : public StreamReader {
 public:
  void on_frame(const FramePtr& frame) override {
    if (hook_) hook_();
    std::unique_lock lock(mutex_);
    if (thread_name_.empty()) {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof name);
      thread_name_ = name;
    }
    held_ = gate_closed_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return !gate_closed_; });
    held_ = false;
    frames_.push_back(frame);
    changed_.notify_all();
  }
  void on_publisher_stopped() override {
    std::lock_guard lock(mutex_);
    stops_.push_back(frames_.size());
    changed_.notify_all();
  }

  void close_gate() {
    std::lock_guard lock(mutex_);
    gate_closed_ = true;
  }
  void open_gate() {
    std::lock_guard lock(mutex_);
    gate_closed_ = false;
    changed_.notify_all();
  }
  // Runs on the encoder thread at the start of every on_frame; set before any input.
  void set_hook(std::function<void()> hook) { hook_ = std::move(hook); }
  bool wait_held() {
    return wait([this] { return held_; });
  }
  bool wait_stops(size_t n) {
    return wait([&] { return stops_.size() >= n; });
  }

  std::vector<FramePtr> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::vector<size_t> stops() const {
    std::lock_guard lock(mutex_);
    return stops_;
  }
  std::string thread_name() const {
    std::lock_guard lock(mutex_);
    return thread_name_;
  }

 private:
  template <typename Pred>
  bool wait(Pred pred) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, Patience, pred);
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool gate_closed_ = false;
  bool held_ = false;
  std::vector<FramePtr> frames_;
  std::vector<size_t> stops_;  // how many frames had arrived at each on_publisher_stopped
  std::string thread_name_;
  std::function<void()> hook_;
};

// Waits for a condition only the encoder's status shows (its queue draining).
template <typename Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + Patience;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

size_t keyframe_count(const std::vector<FramePtr>& frames) {
  return static_cast<size_t>(
      std::count_if(frames.begin(), frames.end(), [](const FramePtr& f) { return f->keyframe; }));
}

class RenditionEncoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src = test::read_flv("h264_high_bf3_320x240.flv");
    ASSERT_EQ(src.frames.size(), 60u);
    ASSERT_TRUE(src.frames[0].keyframe);
    ASSERT_TRUE(src.frames[30].keyframe);  // the second GOP, where a dropped queue resumes
  }
  static RenditionEncoderConfig config(std::string name = "test") {
    RenditionEncoderConfig c;
    c.transcoder = {.max_width = 160, .bitrate = 200'000, .gop_seconds = 10};
    c.name = std::move(name);
    return c;
  }
  // Live input: each frame after the encoder has taken the one before, as a publisher's
  // frames come in one by one.
  void push_live(RenditionEncoder& enc, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      enc.on_frame(arriving(src.frames[i]));
      ASSERT_TRUE(eventually([&] { return enc.status().queue_frames == 0; }));
    }
  }
  int64_t max_pts() const {
    int64_t pts = 0;
    for (const Frame& f : src.frames)
      pts = std::max(pts, f.pts_ms());
    return pts;
  }
  test::FlvVideo src;
  std::shared_ptr<CapturingOutput> out = std::make_shared<CapturingOutput>();
};

TEST_F(RenditionEncoderTest, LiveFramesAllComeOutInOrderThenPublisherStopped) {
  RenditionEncoder enc(config("480p"), out);
  push_live(enc, 0, src.frames.size());
  enc.on_publisher_stopped();
  ASSERT_TRUE(out->wait_stops(1));
  const auto frames = out->frames();
  ASSERT_EQ(frames.size(), src.frames.size());
  EXPECT_EQ(out->stops(), (std::vector<size_t>{frames.size()}));  // after the tail, once
  EXPECT_TRUE(frames.front()->keyframe);
  int64_t last_pts = -1;
  for (const FramePtr& f : frames) {
    EXPECT_EQ(f->cts_ms, 0);
    EXPECT_GT(f->pts_ms(), last_pts);
    last_pts = f->pts_ms();
    EXPECT_GT(f->arrival_ns, 0);  // the source frame's arrival, carried through
  }
  EXPECT_EQ(frames.front()->video->width, 160u);
  EXPECT_EQ(out->thread_name(), "enc-480p");
  const auto s = enc.status();
  EXPECT_FALSE(s.failed);
  EXPECT_EQ(s.transcoder.frames_in, 60u);
  EXPECT_EQ(s.transcoder.decoded_only, 0u);
  EXPECT_EQ(s.queue_dropped, 0u);
  EXPECT_EQ(s.queue_frames, 0u);
  EXPECT_GT(s.cpu_ns, 0u);
  EXPECT_TRUE(enc.error().empty());
  RecordProperty("cpu_us_per_frame", static_cast<int>(s.cpu_ns / 1000 / frames.size()));
}

// The GOP replay a Stream gives a new reader (seconds old) or a backlog: decoded, and only the
// newest picture (and the decoder's reordered tail behind it) encoded, starting with an IDR.
TEST_F(RenditionEncoderTest, StaleBacklogIsDecodedAndOnlyTheNewestEncoded) {
  RenditionEncoder enc(config(), out);
  for (const Frame& f : src.frames)
    enc.on_frame(arriving(f, 10s));
  enc.on_publisher_stopped();
  ASSERT_TRUE(out->wait_stops(1));
  const auto frames = out->frames();
  ASSERT_FALSE(frames.empty());
  EXPECT_LE(frames.size(), 10u);
  EXPECT_TRUE(frames.front()->keyframe);
  EXPECT_EQ(frames.back()->pts_ms(), max_pts());
  const auto s = enc.status();
  EXPECT_GE(s.transcoder.decoded_only, 45u);
  RecordProperty("frames_out", static_cast<int>(frames.size()));
  RecordProperty("cpu_us", static_cast<int>(s.cpu_ns / 1000));
  EXPECT_EQ(s.transcoder.decode_errors + s.transcoder.skipped, 0u);
}

TEST_F(RenditionEncoderTest, FullQueueIsDroppedAndInputResumesAtTheNextKeyframe) {
  RenditionEncoderConfig c = config();
  c.max_queue_frames = 4;
  RenditionEncoder enc(c, out);
  out->close_gate();
  for (size_t i = 0; i < 4; ++i)
    enc.on_frame(arriving(src.frames[i]));
  ASSERT_TRUE(out->wait_held());  // the encoder thread is stuck in the output
  for (size_t i = 4; i < 30; ++i)
    enc.on_frame(arriving(src.frames[i]));
  const auto held = enc.status();
  EXPECT_GT(held.queue_dropped, 0u);
  EXPECT_EQ(held.queue_frames, 0u);  // dropped whole, waiting for a keyframe
  out->open_gate();
  push_live(enc, 30, src.frames.size());
  enc.on_publisher_stopped();
  ASSERT_TRUE(out->wait_stops(1));
  const auto frames = out->frames();
  const auto s = enc.status();
  EXPECT_EQ(s.queue_dropped, held.queue_dropped);
  EXPECT_EQ(s.transcoder.frames_in + s.queue_dropped, 60u);
  EXPECT_EQ(s.transcoder.keyframe_requests, 1u);
  // The pictures before the overflow, then an IDR and every picture of the second GOP.
  EXPECT_EQ(keyframe_count(frames), 2u);
  const auto resumed =
      std::find_if(frames.begin() + 1, frames.end(), [](const FramePtr& f) { return f->keyframe; });
  ASSERT_NE(resumed, frames.end());
  const auto second_gop = std::count_if(frames.begin(), frames.end(), [&](const FramePtr& f) {
    return f->pts_ms() >= src.frames[30].pts_ms();
  });
  EXPECT_EQ(second_gop, 30);
  EXPECT_EQ(frames.back()->pts_ms(), max_pts());
}

TEST_F(RenditionEncoderTest, KeyframeRequestsFromAnotherThreadMakeOneIdr) {
  RenditionEncoder enc(config(), out);
  push_live(enc, 0, 20);
  std::thread viewer([&] {
    for (int i = 0; i < 3; ++i)
      enc.request_keyframe();  // a joining viewer's PLI burst: one IDR
  });
  viewer.join();
  push_live(enc, 20, src.frames.size());
  enc.on_publisher_stopped();
  ASSERT_TRUE(out->wait_stops(1));
  const auto frames = out->frames();
  ASSERT_EQ(frames.size(), 60u);
  EXPECT_EQ(keyframe_count(frames), 2u);  // the first picture and the requested one
  EXPECT_EQ(enc.status().transcoder.keyframe_requests, 1u);
}

TEST_F(RenditionEncoderTest, StopJoinsIsIdempotentAndIgnoresLaterInput) {
  RenditionEncoder enc(config(), out);
  push_live(enc, 0, 10);
  enc.stop();
  enc.stop();
  const size_t frames_in = enc.status().transcoder.frames_in;
  enc.on_frame(arriving(src.frames[10]));
  enc.on_publisher_stopped();
  enc.request_keyframe();
  const auto s = enc.status();
  EXPECT_EQ(s.queue_frames, 0u);
  EXPECT_EQ(s.transcoder.frames_in, frames_in);
  EXPECT_EQ(frames_in, 10u);
  EXPECT_TRUE(out->stops().empty());
}

TEST_F(RenditionEncoderTest, DestroyedWithFramesQueuedDoesNotHang) {
  auto enc = std::make_unique<RenditionEncoder>(config(), out);
  for (const Frame& f : src.frames)
    enc->on_frame(arriving(f));
  enc->on_publisher_stopped();
  enc.reset();  // the thread ends after the input in hand; the rest is freed with the queue
  EXPECT_LE(out->frames().size(), 60u);
  EXPECT_LE(out->stops().size(), 1u);
}

TEST_F(RenditionEncoderTest, StopFromTheOutputCallbackDoesNotDeadlock) {
  auto enc = std::make_unique<RenditionEncoder>(config(), out);
  out->set_hook([e = enc.get()] { e->stop(); });
  push_live(*enc, 0, 5);
  ASSERT_TRUE(eventually([&] { return !out->frames().empty(); }));
  enc->on_frame(arriving(src.frames[5]));
  EXPECT_EQ(enc->status().queue_frames, 0u);  // stopped: ignored
  enc.reset();
  EXPECT_EQ(out->frames().size(), 1u);
}

TEST_F(RenditionEncoderTest, GarbageIsCountedAndTheNextKeyframeRecovers) {
  RenditionEncoder enc(config(), out);
  push_live(enc, 0, 10);
  std::mt19937 rng(17);
  for (int i = 0; i < 10; ++i) {
    auto junk = std::make_shared<Frame>(src.frames[10]);
    for (uint8_t& b : junk->data)
      b = static_cast<uint8_t>(rng());
    junk->keyframe = i % 2 == 0;
    junk->arrival_ns = steady_ns();
    enc.on_frame(junk);
  }
  enc.on_frame(arriving(src.frames[11]));  // references a lost picture: skipped
  push_live(enc, 30, src.frames.size());
  enc.on_publisher_stopped();
  ASSERT_TRUE(out->wait_stops(1));
  const auto s = enc.status();
  EXPECT_EQ(s.transcoder.malformed + s.transcoder.decode_errors, 10u);
  EXPECT_EQ(s.transcoder.skipped, 1u);
  const auto frames = out->frames();
  const auto second_gop = std::count_if(frames.begin(), frames.end(), [&](const FramePtr& f) {
    return f->pts_ms() >= src.frames[30].pts_ms();
  });
  EXPECT_EQ(second_gop, 30);
  EXPECT_EQ(s.restarts, 0u);
}

TEST_F(RenditionEncoderTest, AudioIsIgnored) {
  RenditionEncoder enc(config(), out);
  auto aac = std::make_shared<Frame>();
  aac->kind = TrackKind::Audio;
  aac->codec = Codec::AAC;
  aac->data.resize(100);
  enc.on_frame(aac);
  enc.on_frame(nullptr);
  enc.stop();
  EXPECT_EQ(enc.status().transcoder.frames_in, 0u);
}

TEST_F(RenditionEncoderTest, TranscoderThatCannotBeCreatedLeavesOutputSilent) {
  RenditionEncoderConfig c = config();
  c.transcoder.bitrate = 0;
  RenditionEncoder enc(c, out);
  for (const Frame& f : src.frames)
    enc.on_frame(arriving(f));
  enc.on_publisher_stopped();
  enc.request_keyframe();
  const auto s = enc.status();
  EXPECT_TRUE(s.failed);
  EXPECT_EQ(s.queue_frames, 0u);
  EXPECT_FALSE(enc.error().empty());
  enc.stop();
  EXPECT_TRUE(out->frames().empty());
  EXPECT_TRUE(out->stops().empty());
}

TEST(RenditionEncoderThreadName, IsCutToFifteenCharacters) {
  auto out = std::make_shared<CapturingOutput>();
  RenditionEncoderConfig c;
  c.name = "a-very-long-rendition-name";
  RenditionEncoder enc(c, out);
  const test::FlvVideo src = test::read_flv("h264_high_bf3_320x240.flv");
  for (size_t i = 0; i < 5; ++i)
    enc.on_frame(arriving(src.frames[i]));
  ASSERT_TRUE(eventually([&] { return !out->frames().empty(); }));
  EXPECT_EQ(out->thread_name(), "enc-a-very-long");
}

}  // namespace
}  // namespace media
