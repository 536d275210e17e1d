#include "app/rendition_feeds.hpp"

#include <stdexcept>

#include "app/logging.hpp"
#include "base/crypto.hpp"

namespace app {
namespace {

uint32_t random_u32() {
  uint32_t v = 0;
  base::random_bytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
  return v;
}

constexpr uint32_t SlicedThreadsAbove = 1280 * 720;  // pixels: bigger pictures get 2 threads

media::RenditionEncoderConfig encoder_config(const Config& config, const std::string& path,
                                             const QualityChoice& choice,
                                             const media::StreamStatus& source) {
  media::RenditionEncoderConfig e;
  e.name = choice.codec == media::Codec::VP8 ? choice.name + "-vp8" : choice.name;
  auto& t = e.transcoder;
  t.output_codec = choice.codec;
  t.max_width = choice.max_width;
  t.max_height = choice.max_height;
  t.bitrate = static_cast<int32_t>(choice.bitrate);
  t.gop_seconds = std::chrono::duration<double>(config.transcode_gop).count();
  t.preset = config.transcode_preset;
  t.profile = media::H264OutputProfile::ConstrainedBaseline;
  const auto [w, h] = media::VideoTranscoder::output_size(source.width, source.height,
                                                          choice.max_width, choice.max_height);
  t.threads = uint64_t{w} * h > SlicedThreadsAbove ? 2 : 1;
  logger("media")->info("{}: starting rendition {} ({} {}x{} from {}x{}, {} kbit/s, GOP {} s{})",
                        path, choice.key(), media::codec_name(choice.codec), w, h, source.width,
                        source.height, choice.bitrate / 1000, t.gop_seconds,
                        source.bframes ? ", source has B-frames" : "");
  return e;
}

uint64_t problem_count(const media::RenditionEncoderStatus& s) {
  const auto& t = s.transcoder;
  return t.malformed + t.decode_errors + t.encode_errors + t.skipped + s.queue_dropped + s.restarts;
}

void add(EncoderTotals& sum, const media::RenditionEncoderStatus& s) {
  const auto& t = s.transcoder;
  sum.frames_in += t.frames_in;
  sum.frames_out += t.frames_out;
  sum.keyframes_out += t.keyframes_out;
  sum.dropped += s.queue_dropped + t.skipped + t.malformed;
  sum.errors += t.decode_errors + t.encode_errors;
  sum.cpu_ns += s.cpu_ns;
}

}  // namespace

RenditionFeeds::RenditionFeeds(const Config& config, WebRtcFeed::Deliver deliver, Forget forget,
                               RunnerFactory source_runner, media::StreamRegistry* registry)
    : config_(config),
      deliver_(std::move(deliver)),
      source_runner_(std::move(source_runner)),
      forget_(std::move(forget)),
      registry_(registry) {}

RenditionFeeds::~RenditionFeeds() {
  std::lock_guard lock(mutex_);
  for (auto& [path, p] : paths_) {
    for (auto& [name, r] : p.renditions) {
      if (auto stream = r.stream.lock()) stream->unsubscribe(r.encoder.get());
      r.encoder->stop();
    }
  }
}

std::shared_ptr<WebRtcFeed> RenditionFeeds::make_feed(const std::string& path) {
  return std::make_shared<WebRtcFeed>(path, random_u32(), random_u32(), config_.opus_bitrate,
                                      deliver_);
}

std::shared_ptr<WebRtcFeed> RenditionFeeds::source(const std::string& path,
                                                   const std::shared_ptr<media::Stream>& stream) {
  std::vector<Unused> unused;
  std::shared_ptr<WebRtcFeed> feed;
  {
    std::lock_guard lock(mutex_);
    feed = source_locked(path, stream, unused);
  }
  let_go(unused);
  return feed;
}

std::shared_ptr<WebRtcFeed> RenditionFeeds::source_locked(
    const std::string& path, const std::shared_ptr<media::Stream>& stream,
    std::vector<Unused>& unused) {
  auto& p = paths_[path];
  if (p.source && p.source_stream.lock() == stream) return p.source;
  if (p.source) unused.push_back({std::move(p.source), p.source_stream.lock()});
  p.source = make_feed(path);
  p.source_stream = stream;
  if (p.leases == 0) p.idle_since = std::chrono::steady_clock::now();
  if (source_runner_) p.source->set_runner(source_runner_());
  stream->subscribe(p.source);
  return p.source;
}

// Stops reading (the registry then drops a stream nobody publishes or reads), then the workers
// drop what they keep for the feed.
void RenditionFeeds::let_go(std::vector<Unused>& unused) {
  for (auto& u : unused) {
    if (u.stream && registry_) {
      registry_->close_reader(u.stream, u.feed.get());
    } else if (u.stream) {
      u.stream->unsubscribe(u.feed.get());
    }
    forget_(u.feed);
  }
  unused.clear();
}

RenditionFeeds::Rendition RenditionFeeds::start(const std::string& path,
                                                const std::shared_ptr<media::Stream>& stream,
                                                const QualityChoice& choice) {
  Rendition r;
  r.choice = choice;
  r.feed = make_feed(path);
  r.encoder = std::make_shared<media::RenditionEncoder>(
      encoder_config(config_, path, choice, stream->status()), r.feed);
  if (r.encoder->status().failed) {
    throw std::runtime_error("cannot encode rendition " + choice.key() + ": " + r.encoder->error());
  }
  // A viewer switching to this rung starts from an IDR made for it, not the next GOP.
  r.feed->set_keyframe_request([weak = std::weak_ptr<media::RenditionEncoder>(r.encoder)] {
    if (auto encoder = weak.lock()) encoder->request_keyframe();
  });
  r.stream = stream;
  // The GOP cache comes first: the encoder decodes it and encodes its newest picture as an IDR.
  stream->subscribe(r.encoder);
  return r;
}

RenditionFeeds::Lease RenditionFeeds::acquire(const std::string& path,
                                              const std::shared_ptr<media::Stream>& stream,
                                              const QualityChoice& choice, bool standby) {
  std::vector<Unused> unused;
  std::unique_lock lock(mutex_);
  auto audio = source_locked(path, stream, unused);
  ++paths_[path].leases;  // held from here, so no sweep lets the source go while we work
  Lease lease{audio, audio, {choice.key(), choice.encoded, standby}};
  if (choice.encoded) {
    try {
      lease.video = hold_rendition(lock, path, stream, choice, standby);
    } catch (...) {
      drop_lease(paths_[path]);
      lock.unlock();
      let_go(unused);
      throw;
    }
  }
  lock.unlock();
  let_go(unused);
  return lease;
}

void RenditionFeeds::drop_lease(Path& p) {
  if (p.leases > 0 && --p.leases == 0) p.idle_since = std::chrono::steady_clock::now();
}

// Caller holds `lock` (released while an encoder is made).
std::shared_ptr<WebRtcFeed> RenditionFeeds::hold_rendition(
    std::unique_lock<std::mutex>& lock, const std::string& path,
    const std::shared_ptr<media::Stream>& stream, const QualityChoice& choice, bool standby) {
  auto& renditions = paths_[path].renditions;
  const auto key = choice.key();
  auto it = renditions.find(key);
  if (it == renditions.end() || it->second.stream.lock() != stream) {
    lock.unlock();  // creating the encoder opens codecs: not under the lock
    auto fresh = start(path, stream, choice);
    lock.lock();
    auto& slot = renditions[key];
    if (slot.encoder && slot.stream.lock() == stream) {
      // Another viewer started it meanwhile: keep theirs.
      stream->unsubscribe(fresh.encoder.get());
      fresh.encoder->stop();
    } else {
      if (slot.encoder) {  // made for a stream object the registry has since replaced
        if (auto old = slot.stream.lock()) old->unsubscribe(slot.encoder.get());
        slot.encoder->stop();
        stopped(slot);
        forget_(slot.feed);
        fresh.viewers = slot.viewers;
        fresh.standby = slot.standby;
      }
      slot = std::move(fresh);
      ++stopped_totals_.starts;
    }
    it = renditions.find(key);
  } else {
    it->second.encoder->request_keyframe();  // the joining viewer starts from a fresh IDR
  }
  ++(standby ? it->second.standby : it->second.viewers);
  return it->second.feed;
}

void RenditionFeeds::release(const std::string& path, const Held& held) {
  std::lock_guard lock(mutex_);
  auto p = paths_.find(path);
  if (p == paths_.end()) return;
  drop_lease(p->second);
  if (!held.encoded) return;
  auto it = p->second.renditions.find(held.key);
  if (it == p->second.renditions.end()) return;
  auto& count = held.standby ? it->second.standby : it->second.viewers;
  if (count == 0) return;
  --count;
  if (it->second.viewers + it->second.standby == 0)
    it->second.idle_since = std::chrono::steady_clock::now();
}

void RenditionFeeds::report_problems(const std::string& path, const std::string& key,
                                     Rendition& r) {
  const auto s = r.encoder->status();
  const uint64_t problems = problem_count(s);
  if (problems <= r.problems_logged) return;
  r.problems_logged = problems;
  const auto& t = s.transcoder;
  logger("media")->warn(
      "{}: rendition {}: {} malformed, {} decode errors, {} encode errors, {} skipped to a "
      "keyframe, {} dropped (queue full), {} restarts so far",
      path, key, t.malformed, t.decode_errors, t.encode_errors, t.skipped, s.queue_dropped,
      s.restarts);
}

void RenditionFeeds::sweep(std::chrono::steady_clock::time_point now) {
  sweep_renditions(now);
  sweep_sources(now);
}

// A path with no lease and no rendition left lets its source feed go: its AAC transcoding and
// the workers' histories for it stop costing anything.
void RenditionFeeds::sweep_sources(std::chrono::steady_clock::time_point now) {
  std::vector<Unused> unused;
  {
    std::lock_guard lock(mutex_);
    for (auto it = paths_.begin(); it != paths_.end();) {
      auto& p = it->second;
      if (p.leases > 0 || !p.renditions.empty() ||
          now - p.idle_since < config_.rendition_idle_timeout) {
        ++it;
        continue;
      }
      if (p.source) {
        logger("webrtc")->info("{}: releasing the pass-through feed: no viewer for {} ms",
                               it->first, config_.rendition_idle_timeout.count());
        unused.push_back({std::move(p.source), p.source_stream.lock()});
      }
      it = paths_.erase(it);
    }
  }
  let_go(unused);
}

void RenditionFeeds::sweep_renditions(std::chrono::steady_clock::time_point now) {
  std::vector<Rendition> idle;
  {
    std::lock_guard lock(mutex_);
    for (auto& [path, p] : paths_) {
      for (auto it = p.renditions.begin(); it != p.renditions.end();) {
        auto& r = it->second;
        report_problems(path, it->first, r);
        if (r.viewers + r.standby == 0 && now - r.idle_since >= config_.rendition_idle_timeout) {
          logger("media")->info("{}: stopping rendition {}: no viewer for {} ms", path, it->first,
                                config_.rendition_idle_timeout.count());
          idle.push_back(std::move(it->second));
          it = p.renditions.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  // Joining an encoder thread waits for its current picture: outside the lock.
  for (auto& r : idle) {
    if (auto stream = r.stream.lock()) stream->unsubscribe(r.encoder.get());
    r.encoder->stop();
    std::lock_guard lock(mutex_);
    stopped(r);
  }
  for (auto& r : idle)
    forget_(r.feed);
}

void RenditionFeeds::stopped(Rendition& r) {
  add(stopped_totals_, r.encoder->status());
  ++stopped_totals_.stops;
}

std::vector<RenditionStatus> RenditionFeeds::status(const std::string& path) const {
  std::lock_guard lock(mutex_);
  std::vector<RenditionStatus> out;
  auto p = paths_.find(path);
  if (p == paths_.end()) return out;
  for (const auto& [name, r] : p->second.renditions) {
    out.push_back({name, true, true, r.choice.bitrate, r.viewers, r.standby, r.encoder->status()});
  }
  return out;
}

std::optional<media::TranscoderStatus> RenditionFeeds::audio_status(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto p = paths_.find(path);
  if (p == paths_.end() || !p->second.source) return std::nullopt;
  return p->second.source->audio_status();
}

EncoderTotals RenditionFeeds::totals() const {
  std::lock_guard lock(mutex_);
  EncoderTotals sum = stopped_totals_;
  for (const auto& [path, p] : paths_) {
    for (const auto& [name, r] : p.renditions) {
      add(sum, r.encoder->status());
      ++sum.running;
    }
  }
  return sum;
}

}  // namespace app
