#pragma once
// The WebRTC feeds of every path: the pass-through feed (the publisher's video as it is, and the
// one Opus encode every viewer of the path hears) and, per rendition, an encoder on its own
// thread with the feed that packetizes its output once for all its viewers. A rendition's
// encoder runs only while a viewer uses it (started by the first, stopped after
// renditionIdleTimeout without any); a viewer joining a running one gets an IDR on demand. The
// pass-through feed is held by every lease and released the same way: unsubscribed and
// forgotten once no viewer and no rendition of its path is left for renditionIdleTimeout.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/quality_choice.hpp"
#include "app/webrtc_feed.hpp"
#include "media/rendition_encoder.hpp"
#include "media/stream.hpp"
#include "media/stream_registry.hpp"

namespace app {

struct RenditionStatus {
  std::string name;
  bool encoded = false;
  bool running = false;  // encoding now
  uint32_t bitrate = 0;  // what the encoder was asked for, bit/s
  size_t viewers = 0;    // WHEP sessions watching it (fixed quality), connecting ones included
  size_t standby = 0;    // adaptive sessions holding it to switch to (or watching it now)
  media::RenditionEncoderStatus encoder;
};

// Over every encoder the node ran, stopped ones included: monotonic, for /metrics.
struct EncoderTotals {
  size_t running = 0;  // a gauge
  uint64_t starts = 0;
  uint64_t stops = 0;
  uint64_t frames_in = 0;
  uint64_t frames_out = 0;
  uint64_t keyframes_out = 0;
  uint64_t dropped = 0;  // input thrown away: queue full, waiting for a keyframe, bad input
  uint64_t errors = 0;   // decode and encode errors
  uint64_t cpu_ns = 0;
};

class RenditionFeeds {
 public:
  // `forget` is told once a feed is gone for good (its encoder stopped), so the workers drop
  // what they keep for it.
  using Forget = std::function<void(const std::shared_ptr<WebRtcFeed>&)>;

  // `source_runner` makes the runner of each path's pass-through feed (WebRtcFeed::Runner):
  // its packetizing and AAC transcoding then leave the publisher's thread and the stream's
  // lock. Null: in the caller.
  using RunnerFactory = std::function<WebRtcFeed::Runner()>;
  // `registry`: told when a released feed stops reading a stream, so a stream nobody publishes
  // or reads any more leaves it (null: the feed only unsubscribes).
  RenditionFeeds(const Config& config, WebRtcFeed::Deliver deliver, Forget forget,
                 RunnerFactory source_runner = nullptr, media::StreamRegistry* registry = nullptr);
  ~RenditionFeeds();
  RenditionFeeds(const RenditionFeeds&) = delete;
  RenditionFeeds& operator=(const RenditionFeeds&) = delete;

  // The path's pass-through feed, created and subscribed on first use (its subscription replays
  // the GOP cache, so the workers' histories start full). Not held: see acquire.
  std::shared_ptr<WebRtcFeed> source(const std::string& path,
                                     const std::shared_ptr<media::Stream>& stream);

  // What one acquire holds, for its release.
  struct Held {
    std::string key;       // QualityChoice::key()
    bool encoded = false;  // a rendition (else the pass-through feed alone)
    bool standby = false;  // held by an adaptive viewer (counted apart: may be on another rung)
  };
  struct Lease {
    std::shared_ptr<WebRtcFeed> video;
    std::shared_ptr<WebRtcFeed> audio;  // always the pass-through feed
    Held held;
  };
  // A viewer takes `choice` and the pass-through feed (counted until release). Throws
  // std::runtime_error when the encoder cannot be made (FFmpeg without libx264); nothing is
  // held then.
  Lease acquire(const std::string& path, const std::shared_ptr<media::Stream>& stream,
                const QualityChoice& choice, bool standby = false);
  void release(const std::string& path, const Held& held);
  // Stops encoders nobody used for renditionIdleTimeout (joins their threads: call off the
  // media loops).
  void sweep(std::chrono::steady_clock::time_point now);

  std::vector<RenditionStatus> status(const std::string& path) const;
  std::optional<media::TranscoderStatus> audio_status(const std::string& path) const;
  EncoderTotals totals() const;

 private:
  struct Rendition {
    QualityChoice choice;
    std::shared_ptr<WebRtcFeed> feed;
    std::shared_ptr<media::RenditionEncoder> encoder;  // null for the pass-through source
    std::weak_ptr<media::Stream> stream;
    size_t viewers = 0;
    size_t standby = 0;
    std::chrono::steady_clock::time_point idle_since{};
    uint64_t problems_logged = 0;  // bad input, errors, drops and restarts already reported
  };
  struct Path {
    std::shared_ptr<WebRtcFeed> source;
    std::weak_ptr<media::Stream> source_stream;  // what the source feed reads
    size_t leases = 0;                           // acquires not yet released
    std::chrono::steady_clock::time_point idle_since{};
    std::map<std::string, Rendition> renditions;  // encoded ones, by QualityChoice::key()
  };
  struct Unused {  // a source feed to let go of, outside the lock
    std::shared_ptr<WebRtcFeed> feed;
    std::shared_ptr<media::Stream> stream;
  };
  std::shared_ptr<WebRtcFeed> make_feed(const std::string& path);
  // Caller holds mutex_. A source for another stream object (the registry replaced it) is
  // replaced; the old one goes to `unused`.
  std::shared_ptr<WebRtcFeed> source_locked(const std::string& path,
                                            const std::shared_ptr<media::Stream>& stream,
                                            std::vector<Unused>& unused);
  void let_go(std::vector<Unused>& unused);
  std::shared_ptr<WebRtcFeed> hold_rendition(std::unique_lock<std::mutex>& lock,
                                             const std::string& path,
                                             const std::shared_ptr<media::Stream>& stream,
                                             const QualityChoice& choice, bool standby);
  void drop_lease(Path& p);  // caller holds mutex_
  void sweep_renditions(std::chrono::steady_clock::time_point now);
  void sweep_sources(std::chrono::steady_clock::time_point now);
  Rendition start(const std::string& path, const std::shared_ptr<media::Stream>& stream,
                  const QualityChoice& choice);
  void stopped(Rendition& r);  // adds its counters to the totals
  // Logs what went wrong in a running encoder since the last sweep (at most once a sweep).
  static void report_problems(const std::string& path, const std::string& key, Rendition& r);

  const Config& config_;
  WebRtcFeed::Deliver deliver_;
  RunnerFactory source_runner_;
  Forget forget_;
  media::StreamRegistry* registry_;
  mutable std::mutex mutex_;
  std::map<std::string, Path> paths_;
  EncoderTotals stopped_totals_;
};

}  // namespace app
