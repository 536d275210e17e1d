#include "app/webrtc_feed.hpp"

#include "app/logging.hpp"
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

WebRtcFeed::WebRtcFeed(std::string path, uint32_t video_ssrc, uint32_t audio_ssrc,
                       uint32_t opus_bitrate, Deliver deliver)
    : path_(std::move(path)),
      video_ssrc_(video_ssrc),
      audio_ssrc_(audio_ssrc),
      opus_bitrate_(opus_bitrate),
      deliver_(std::move(deliver)),
      video_(video_ssrc, random_value<uint16_t>(), random_value<uint32_t>()),
      audio_(audio_ssrc, random_value<uint16_t>(), random_value<uint32_t>()) {}

int64_t WebRtcFeed::sync_ns(int64_t pts_ms, int64_t arrival_ns) {
  if (!have_anchor_) {
    have_anchor_ = true;
    anchor_arrival_ns_ = arrival_ns;
    anchor_pts_ms_ = pts_ms;
  }
  return anchor_arrival_ns_ + (pts_ms - anchor_pts_ms_) * 1'000'000;
}

void WebRtcFeed::on_frame(const media::FramePtr& frame) {
  // At once, so a viewer's offer right after the first subscription sees what the stream is.
  if (frame->kind == media::TrackKind::Video) {
    std::lock_guard lock(mutex_);
    if (frame->video != video_config_) video_config_ = frame->video;
  }
  if (!runner_) {
    process(frame);
    return;
  }
  runner_([self = shared_from_this(), frame] { self->process(frame); });
}

void WebRtcFeed::process(const media::FramePtr& frame) {
  if (frame->kind == media::TrackKind::Audio) {
    on_audio(*frame);
    return;
  }
  auto packets = video_.packetize(*frame, sync_ns(frame->pts_ms(), frame->arrival_ns));
  if (packets) deliver_(this, packets);
}

void WebRtcFeed::on_audio(const media::Frame& frame) {
  if (!frame.audio) return;
  if (frame.codec == media::Codec::Opus) {
    // Already what browsers play: passed through, only timestamped and packetized.
    if (!have_audio_base_) {
      have_audio_base_ = true;
      audio_base_pts_ms_ = frame.pts_ms();
    }
    auto rtp = audio_.packetize(frame.data, (frame.pts_ms() - audio_base_pts_ms_) * 48,
                                frame.arrival_ns, sync_ns(frame.pts_ms(), frame.arrival_ns));
    if (rtp) deliver_(this, rtp);
    std::lock_guard lock(mutex_);
    has_audio_ = true;
    return;
  }
  if (frame.codec != media::Codec::AAC) return;
  if (!transcoder_) {
    media::TranscoderConfig config;
    config.bitrate = static_cast<int32_t>(opus_bitrate_);
    transcoder_ = std::make_unique<media::AacOpusTranscoder>(config);
    audio_base_pts_ms_ = frame.pts_ms();
  }
  for (const auto& packet : transcoder_->push(frame)) {
    // The transcoder's timeline starts at this publish's first audio pts.
    const int64_t pts_ms = audio_base_pts_ms_ + packet.pts_48k / 48;
    auto rtp = audio_.packetize(packet.data, packet.pts_48k, packet.arrival_ns,
                                sync_ns(pts_ms, packet.arrival_ns));
    if (rtp) deliver_(this, rtp);
  }
  std::lock_guard lock(mutex_);
  has_audio_ = true;
  audio_status_ = transcoder_->status();
}

void WebRtcFeed::on_publisher_stopped() {
  if (!runner_) {
    stopped();
    return;
  }
  runner_([self = shared_from_this()] { self->stopped(); });
}

void WebRtcFeed::stopped() {
  video_.mark_discontinuity();
  audio_.mark_discontinuity();
  if (transcoder_) {
    const auto& st = transcoder_->status();
    logger("webrtc")->info(
        "{}: audio transcoder {} object type {} {} Hz {} ch -> Opus {} bit/s {} ch: {} AAC frames "
        "in, {} Opus packets out, {} decode errors, {} resets",
        path_, media::codec_name(st.input_codec), st.input_object_type, st.input_sample_rate,
        st.input_channels, st.output_bitrate, st.output_channels, st.frames_in, st.frames_out,
        st.decode_errors, st.resets);
  }
  transcoder_.reset();
  have_audio_base_ = false;
  have_anchor_ = false;
  std::lock_guard lock(mutex_);
  has_audio_ = false;
}

std::shared_ptr<const media::VideoConfig> WebRtcFeed::video_config() const {
  std::lock_guard lock(mutex_);
  return video_config_;
}

bool WebRtcFeed::has_audio() const {
  std::lock_guard lock(mutex_);
  return has_audio_;
}

std::optional<media::TranscoderStatus> WebRtcFeed::audio_status() const {
  std::lock_guard lock(mutex_);
  return audio_status_;
}

}  // namespace app
