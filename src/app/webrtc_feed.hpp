#pragma once
// The WebRTC side of one media stream: a reader of the stream that turns each frame into RTP
// once: H.264 is packetized, AAC is transcoded to Opus once per stream and packetized. The
// shared packets go to every WebRTC worker loop.
//
// The stream calls its readers on the publisher's thread under the stream's lock (and replays
// its GOP into a new reader under that lock, on whichever thread subscribes). With a runner set,
// the feed only notes the frame's config there and queues the frame; the packetizing and the
// transcoding run on the runner (one event loop, so in order), holding no lock another thread
// waits on. Without one (an encoder's output, tests) the work runs in the caller.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "media/aac_opus_transcoder.hpp"
#include "media/stream.hpp"
#include "webrtc/audio_track_packetizer.hpp"
#include "webrtc/packetized_frame.hpp"
#include "webrtc/video_track_packetizer.hpp"

namespace app {

class WebRtcFeed : public media::StreamReader, public std::enable_shared_from_this<WebRtcFeed> {
 public:
  // Called for each packetized frame where the feed works (its runner, or the caller), one call
  // at a time and in order per track; must only post.
  using Deliver = std::function<void(const WebRtcFeed*, const webrtc::PacketizedFramePtr&)>;
  // Runs a piece of the feed's work later, in order, on one thread.
  using Runner = std::function<void(std::function<void()>)>;

  WebRtcFeed(std::string path, uint32_t video_ssrc, uint32_t audio_ssrc, uint32_t opus_bitrate,
             Deliver deliver);
  WebRtcFeed(const WebRtcFeed&) = delete;
  WebRtcFeed& operator=(const WebRtcFeed&) = delete;

  void on_frame(const media::FramePtr& frame) override;
  void on_publisher_stopped() override;
  // Set once, before the feed subscribes to a stream.
  void set_runner(Runner runner) { runner_ = std::move(runner); }

  // Asks the feed's encoder for an IDR now (a viewer switches to it); nothing for the
  // pass-through source, whose keyframes come when the publisher sends them. Any thread; the
  // request is set once, before the feed is shared.
  void request_keyframe() const {
    if (keyframe_request_) keyframe_request_();
  }
  void set_keyframe_request(std::function<void()> request) {
    keyframe_request_ = std::move(request);
  }

  const std::string& path() const noexcept { return path_; }
  uint32_t video_ssrc() const noexcept { return video_ssrc_; }
  uint32_t audio_ssrc() const noexcept { return audio_ssrc_; }
  // For SDP negotiation: the newest video config (null before any video) and whether the stream
  // currently carries audio we can send.
  std::shared_ptr<const media::VideoConfig> video_config() const;
  bool has_audio() const;
  std::optional<media::TranscoderStatus> audio_status() const;

 private:
  int64_t sync_ns(int64_t pts_ms, int64_t arrival_ns);
  void process(const media::FramePtr& frame);
  void on_audio(const media::Frame& frame);
  void stopped();

  const std::string path_;
  const uint32_t video_ssrc_;
  const uint32_t audio_ssrc_;
  const uint32_t opus_bitrate_;
  Deliver deliver_;
  std::function<void()> keyframe_request_;
  Runner runner_;
  mutable std::mutex mutex_;  // guards the fields read from other threads (configs, status)
  std::shared_ptr<const media::VideoConfig> video_config_;
  bool has_audio_ = false;
  std::optional<media::TranscoderStatus> audio_status_;
  // Where the feed works only (the runner, or the caller under the stream's lock):
  webrtc::VideoTrackPacketizer video_;
  webrtc::AudioTrackPacketizer audio_;
  std::unique_ptr<media::AacOpusTranscoder> transcoder_;
  bool have_audio_base_ = false;  // Opus passthrough: first pts of this publish
  int64_t audio_base_pts_ms_ = 0;
  // One wall-clock mapping for both tracks of a publish: pts -> steady ns.
  bool have_anchor_ = false;
  int64_t anchor_arrival_ns_ = 0;
  int64_t anchor_pts_ms_ = 0;
};

}  // namespace app
