#include "media/rendition_encoder.hpp"

#include <pthread.h>
#include <time.h>

#include <exception>
#include <stdexcept>
#include <utility>

namespace media {
namespace {

constexpr size_t MaxThreadName = 15;  // pthread_setname_np: 16 bytes with the terminator

int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t thread_cpu_ns() noexcept {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// A frame is worth encoding when nothing newer waits behind it or it is still recent; an
// arrival time of 0 means the source did not stamp it (treated as recent).
bool worth_encoding(const Frame& f, bool newest_queued, std::chrono::milliseconds max_lag,
                    int64_t now_ns) noexcept {
  if (newest_queued || f.arrival_ns <= 0) return true;
  return now_ns - f.arrival_ns <= std::chrono::nanoseconds(max_lag).count();
}

}  // namespace

struct RenditionEncoder::Counters {
  uint64_t restarts = 0;
  uint32_t failures_in_row = 0;  // encode errors since the last output frame
};

RenditionEncoder::RenditionEncoder(RenditionEncoderConfig config,
                                   std::shared_ptr<StreamReader> output)
    : config_(std::move(config)), output_(std::move(output)) {
  try {
    if (!output_) throw std::invalid_argument("RenditionEncoder: no output");
    transcoder_.emplace(config_.transcoder);
    thread_ = std::thread([this] { run(); });
  } catch (const std::exception& e) {  // no libx264, a bad config, no thread to be had
    transcoder_.reset();
    error_ = e.what();
    snapshot_.failed = true;
    stopping_ = true;  // input ignored
    return;
  }
  // Read by stop() on the thread only from an output callback, which follows an on_frame: the
  // queue mutex orders this write before it.
  thread_id_ = thread_.get_id();
}

RenditionEncoder::~RenditionEncoder() {
  stop();
}

void RenditionEncoder::on_frame(const FramePtr& frame) {
  if (!frame || frame->kind != TrackKind::Video) return;
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return;
    if (resync_) {
      if (!frame->keyframe) {
        ++queue_dropped_;
        return;
      }
      resync_ = false;
    }
    const size_t size = frame->data.size();
    if (queue_.size() >= config_.max_queue_frames ||
        queue_bytes_ + size > config_.max_queue_bytes) {
      drop_queue_locked();
      keyframe_requested_ = true;  // the output skips pictures: give its viewers a fresh start
      if (!frame->keyframe) {
        ++queue_dropped_;
        resync_ = true;
        return;
      }
      // An empty queue takes a keyframe of any size, or a huge one would starve the rendition.
    }
    queue_bytes_ += size;
    queue_.push_back(frame);
  }
  queue_ready_.notify_one();
}

void RenditionEncoder::on_publisher_stopped() {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return;
    queue_.push_back(nullptr);
  }
  queue_ready_.notify_one();
}

// Drops every queued frame but keeps one end-of-publish marker if any was queued, so the output
// still learns that the publish it was watching ended.
void RenditionEncoder::drop_queue_locked() {
  bool had_marker = false;
  for (const FramePtr& f : queue_) {
    if (f) {
      ++queue_dropped_;
    } else {
      had_marker = true;
    }
  }
  queue_.clear();
  queue_bytes_ = 0;
  if (had_marker) queue_.push_back(nullptr);
}

void RenditionEncoder::request_keyframe() {
  keyframe_requested_ = true;
}

RenditionEncoderStatus RenditionEncoder::status() const {
  RenditionEncoderStatus s;
  {
    std::lock_guard lock(status_mutex_);
    s = snapshot_;
  }
  std::lock_guard lock(queue_mutex_);
  s.queue_dropped = queue_dropped_;
  s.queue_frames = queue_.size();
  return s;
}

std::string RenditionEncoder::error() const {
  std::lock_guard lock(status_mutex_);
  return error_;
}

void RenditionEncoder::stop() {
  std::deque<FramePtr> dropped;  // freed outside the lock
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
    dropped.swap(queue_);
    queue_bytes_ = 0;
  }
  queue_ready_.notify_all();
  // From the output's callback the thread only learns to stop; a later call from another
  // thread (the destructor) joins it.
  if (std::this_thread::get_id() == thread_id_) return;
  std::call_once(joined_, [this] {
    if (thread_.joinable()) thread_.join();
  });
}

std::optional<FramePtr> RenditionEncoder::pop(bool& newest_queued) {
  std::unique_lock lock(queue_mutex_);
  queue_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  if (stopping_) return std::nullopt;
  FramePtr f = std::move(queue_.front());
  queue_.pop_front();
  if (f) queue_bytes_ -= f->data.size();
  // The last frame of a publish (only its end marker behind it) counts as the newest one.
  newest_queued = queue_.empty() || !queue_.front();
  return f;
}

void RenditionEncoder::run() {
  const std::string thread_name = ("enc-" + config_.name).substr(0, MaxThreadName);
  pthread_setname_np(pthread_self(), thread_name.c_str());
  Counters counters;
  publish_status(counters);
  bool newest_queued = false;
  while (const std::optional<FramePtr> input = pop(newest_queued)) {
    if (!*input) {
      finish_publish();
    } else {
      const bool encode = worth_encoding(**input, newest_queued, config_.max_lag, steady_now_ns());
      transcode(**input, encode, counters);
    }
    if (!transcoder_) break;  // a restart failed
    publish_status(counters);
  }
  publish_status(counters);
}

void RenditionEncoder::transcode(const Frame& frame, bool encode, Counters& counters) {
  if (keyframe_requested_.exchange(false)) transcoder_->request_keyframe();
  const uint64_t errors_before = transcoder_->status().encode_errors;
  const uint64_t out_before = transcoder_->status().frames_out;
  for (const FramePtr& out : transcoder_->push(frame, encode))
    output_->on_frame(out);
  const VideoTranscoderStatus& s = transcoder_->status();
  if (s.frames_out != out_before) {
    counters.failures_in_row = 0;
  } else {
    counters.failures_in_row += static_cast<uint32_t>(s.encode_errors - errors_before);
  }
  if (counters.failures_in_row > 0 && counters.failures_in_row >= config_.max_failures_in_row) {
    restart_transcoder(counters);
  }
}

void RenditionEncoder::finish_publish() {
  for (const FramePtr& out : transcoder_->flush())
    output_->on_frame(out);
  output_->on_publisher_stopped();
}

void RenditionEncoder::restart_transcoder(Counters& counters) {
  counters.failures_in_row = 0;
  ++counters.restarts;
  transcoder_.reset();
  try {
    transcoder_.emplace(config_.transcoder);  // a new one starts at the next keyframe
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(status_mutex_);
      error_ = e.what();
      snapshot_.failed = true;
    }
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
    drop_queue_locked();
  }
}

void RenditionEncoder::publish_status(const Counters& counters) {
  const uint64_t cpu = thread_cpu_ns();
  std::lock_guard lock(status_mutex_);
  if (transcoder_) snapshot_.transcoder = transcoder_->status();
  snapshot_.restarts = counters.restarts;
  snapshot_.cpu_ns = cpu;
}

}  // namespace media
