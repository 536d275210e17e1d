#pragma once
// One live path (e.g. "live/stream"): its current publisher, its readers, the GOP cache that lets
// a new reader start at once, and the running statistics. Thread-safe: the publisher pushes from
// its own thread while readers join and leave from theirs. Frames are handed to readers by
// pointer; a reader must only enqueue in on_frame (never block), see FrameQueue.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "media/frame.hpp"
#include "media/gop_cache.hpp"
#include "media/stream_stats.hpp"

namespace media {

class StreamReader {
 public:
  virtual ~StreamReader() = default;
  // Every frame in publish order, starting with the GOP cache at subscribe time. Called with
  // the stream's lock held: enqueue and return.
  virtual void on_frame(const FramePtr& frame) = 0;
  // The publisher went away (unpublish, disconnect, or replaced by a new publisher). The reader
  // stays subscribed and receives the next publisher's frames.
  virtual void on_publisher_stopped() {}
};

// Told when another publisher takes the path over; the old session should close itself.
class PublisherListener {
 public:
  virtual ~PublisherListener() = default;
  virtual void on_replaced() = 0;
};

struct PublisherInfo {
  std::string remote_address;  // "ip:port"
  std::string query;           // the publish URL's query, credentials removed (or empty)
  uint64_t session_id = 0;
  int64_t publish_start_ms = 0;  // wall clock of the publish, given by the caller for status
};

struct StreamLimits {
  size_t gop_cache_max_bytes = 32u << 20;
  size_t gop_cache_max_frames = 2048;
};

class Stream {
 public:
  Stream(std::string path, StreamLimits limits);

  const std::string& path() const noexcept { return path_; }

  // Ingest one frame. Ignored unless publisher_id is the current publisher (a replaced publisher
  // may still deliver a frame or two from its thread before it notices).
  void push(uint64_t publisher_id, FramePtr frame);

  // Adds a reader: it receives the cached GOP first, then live frames, with no gap between.
  void subscribe(const std::shared_ptr<StreamReader>& reader);
  void unsubscribe(const StreamReader* reader);

  bool has_publisher() const;
  size_t reader_count() const;
  StreamStatus status() const;

 private:
  friend class StreamRegistry;
  // Registry-only: publisher changes are decided there (takeover policy).
  uint64_t begin_publish(const PublisherInfo& info, std::weak_ptr<PublisherListener> listener,
                         std::weak_ptr<PublisherListener>* replaced);
  bool end_publish(uint64_t publisher_id);
  bool idle() const;      // no publisher, no readers, no reader between open and subscribe
  void reserve_reader();  // open_for_reading(): keeps the stream until subscribe/close_reader

  const std::string path_;
  mutable std::mutex mutex_;
  uint64_t publisher_id_ = 0;  // 0: nobody publishing
  uint64_t next_publisher_id_ = 1;
  PublisherInfo publisher_;
  std::weak_ptr<PublisherListener> publisher_listener_;
  std::vector<std::shared_ptr<StreamReader>> readers_;
  size_t pending_readers_ = 0;
  GopCache gop_;
  StreamStats stats_;
};

}  // namespace media
