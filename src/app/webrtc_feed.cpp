#include "app/webrtc_feed.hpp"

#include "base/crypto.hpp"

namespace app {
namespace {

template <typename T>
T random_value() {
  T v{};
  base::random_bytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
  return v;
}

}  // namespace

WebRtcFeed::WebRtcFeed(std::string path, uint32_t video_ssrc, Deliver deliver)
    : path_(std::move(path)),
      video_ssrc_(video_ssrc),
      deliver_(std::move(deliver)),
      video_(video_ssrc, random_value<uint16_t>(), random_value<uint32_t>()) {}

void WebRtcFeed::on_frame(const media::FramePtr& frame) {
  if (frame->kind != media::TrackKind::Video) return;  // audio: Opus transcoding, next issue
  {
    std::lock_guard lock(mutex_);
    if (frame->video != video_config_) video_config_ = frame->video;
  }
  if (auto packets = video_.packetize(*frame)) deliver_(this, packets);
}

void WebRtcFeed::on_publisher_stopped() {
  video_.mark_discontinuity();
}

std::shared_ptr<const media::VideoConfig> WebRtcFeed::video_config() const {
  std::lock_guard lock(mutex_);
  return video_config_;
}

}  // namespace app
