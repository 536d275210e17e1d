#pragma once
// One rendition of one stream (e.g. "480p") transcoded on a thread of its own, so no event loop
// ever waits for libx264. It is a StreamReader: on_frame only enqueues (the Stream calls it under
// its lock); the thread pops one input at a time, runs the VideoTranscoder with no lock held and
// hands every encoded frame, in order, to the output reader on that thread.
//
// Falling behind drops pictures, never adds lag: a frame older than max_lag (its arrival_ns
// against the steady clock) is decoded but not encoded unless it is the last one queued, so the
// GOP replay a Stream gives at subscribe is decoded quickly and its newest picture becomes the
// first IDR. A full queue is dropped whole and input resumes at the next keyframe, with an IDR
// requested from the encoder.
//
// The one place in media that owns a thread and reads the steady clock (the clock the I/O layer
// stamps arrival_ns with). The output must not destroy its RenditionEncoder from on_frame.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "media/frame.hpp"
#include "media/stream.hpp"
#include "media/video_transcoder.hpp"

namespace media {

struct RenditionEncoderConfig {
  VideoTranscoderConfig transcoder;
  size_t max_queue_frames = 120;           // input backlog bound (frames)
  size_t max_queue_bytes = 32u << 20;      // input backlog bound (bytes)
  std::chrono::milliseconds max_lag{200};  // older input is decoded, not encoded (unless last)
  std::string name;                        // "480p": thread "enc-480p" (15 characters at most)
  // Encode failures in a row without any output before the transcoder is re-created.
  uint32_t max_failures_in_row = 30;
};

struct RenditionEncoderStatus {
  VideoTranscoderStatus transcoder;  // the current transcoder's counters (reset by a restart)
  uint64_t queue_dropped = 0;        // input frames thrown away because the queue was full
                                     // (and after that, until the next keyframe)
  uint64_t restarts = 0;             // transcoder re-created after repeated failures
  size_t queue_frames = 0;           // now
  uint64_t cpu_ns = 0;               // CPU time of the encoder thread
  bool failed = false;               // could not create a transcoder: output stays silent
};

class RenditionEncoder : public StreamReader {
 public:
  // output receives, on the encoder thread and in order, every encoded frame and
  // on_publisher_stopped() after the frames of a publish that ended.
  RenditionEncoder(RenditionEncoderConfig config, std::shared_ptr<StreamReader> output);
  ~RenditionEncoder() override;  // stop()
  RenditionEncoder(const RenditionEncoder&) = delete;
  RenditionEncoder& operator=(const RenditionEncoder&) = delete;

  // Video frames only (audio is ignored): enqueue, wake the thread, return.
  void on_frame(const FramePtr& frame) override;
  // Queues a marker: the transcoder's tail is flushed to the output, then the output is told.
  void on_publisher_stopped() override;
  // Thread-safe: the next encoded picture is an IDR (requests coalesce).
  void request_keyframe();
  // Thread-safe snapshot.
  RenditionEncoderStatus status() const;
  // Why the transcoder could not be created (empty unless status().failed).
  std::string error() const;
  // Idempotent: wakes and joins the thread; later input is ignored, queued input dropped.
  void stop();

 private:
  struct Counters;  // the thread's running figures, published into the snapshot
  void run();
  // Blocks until an input or stop; nullopt on stop. A null FramePtr is the end-of-publish marker.
  std::optional<FramePtr> pop(bool& newest_queued);
  void transcode(const Frame& frame, bool encode, Counters& counters);
  void finish_publish();
  void restart_transcoder(Counters& counters);
  void publish_status(const Counters& counters);
  void drop_queue_locked();

  const RenditionEncoderConfig config_;
  const std::shared_ptr<StreamReader> output_;
  std::optional<VideoTranscoder> transcoder_;  // touched only by the thread after start

  // The input queue: queue_mutex_ is held only around queue operations.
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<FramePtr> queue_;  // a null entry marks the end of a publish
  size_t queue_bytes_ = 0;
  bool resync_ = false;  // after an overflow: input accepted again from the next keyframe
  bool stopping_ = false;
  uint64_t queue_dropped_ = 0;

  std::atomic<bool> keyframe_requested_{false};

  mutable std::mutex status_mutex_;
  RenditionEncoderStatus snapshot_;
  std::string error_;

  std::once_flag joined_;
  std::thread thread_;
  std::thread::id thread_id_;  // set once at construction; no thread joins itself
};

}  // namespace media
