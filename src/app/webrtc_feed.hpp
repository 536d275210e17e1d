#pragma once
// The WebRTC side of one media stream: a reader of the stream that packetizes each frame once
// (on the publisher's thread) and hands the shared packets to every WebRTC worker loop.
#include <functional>
#include <memory>
#include <mutex>

#include "media/stream.hpp"
#include "webrtc/packetized_frame.hpp"
#include "webrtc/video_track_packetizer.hpp"

namespace app {

class WebRtcFeed : public media::StreamReader {
 public:
  // Called on the publisher's thread for each packetized frame; must only post.
  using Deliver = std::function<void(const WebRtcFeed*, const webrtc::PacketizedFramePtr&)>;

  WebRtcFeed(std::string path, uint32_t video_ssrc, Deliver deliver);

  void on_frame(const media::FramePtr& frame) override;
  void on_publisher_stopped() override;

  const std::string& path() const noexcept { return path_; }
  uint32_t video_ssrc() const noexcept { return video_ssrc_; }
  // The video config of the newest frame, for SDP negotiation (null before any video).
  std::shared_ptr<const media::VideoConfig> video_config() const;

 private:
  const std::string path_;
  const uint32_t video_ssrc_;
  Deliver deliver_;
  mutable std::mutex mutex_;  // guards video_config_ only; packetizing runs under the stream lock
  std::shared_ptr<const media::VideoConfig> video_config_;
  webrtc::VideoTrackPacketizer video_;
};

}  // namespace app
