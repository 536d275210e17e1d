#include "media/stream_stats.hpp"

#include "media/h264_sps.hpp"

namespace media {

void StreamStats::Window::add(int64_t dts_ms, size_t bytes) {
  if (!samples_.empty() && dts_ms < samples_.back().dts_ms) samples_.clear();  // clock reset
  samples_.push_back({dts_ms, bytes});
  while (samples_.size() > MaxSamples || samples_.front().dts_ms <= dts_ms - WindowMs) {
    samples_.pop_front();
  }
}

double StreamStats::Window::rate_per_s() const noexcept {
  if (samples_.size() < 2) return 0;
  const int64_t span = samples_.back().dts_ms - samples_.front().dts_ms;
  if (span <= 0) return 0;
  return static_cast<double>(samples_.size() - 1) * 1000.0 / static_cast<double>(span);
}

uint32_t StreamStats::Window::kbps() const noexcept {
  if (samples_.size() < 2) return 0;
  const int64_t span = samples_.back().dts_ms - samples_.front().dts_ms;
  if (span <= 0) return 0;
  // The first sample opens the interval; the bytes of the others arrived within it.
  uint64_t bytes = 0;
  for (size_t i = 1; i < samples_.size(); ++i)
    bytes += samples_[i].bytes;
  return static_cast<uint32_t>(bytes * 8 / static_cast<uint64_t>(span));  // bit/ms = kbit/s
}

void StreamStats::start(std::string publisher_address, int64_t publish_start_ms) {
  *this = StreamStats{};
  active_ = true;
  publisher_address_ = std::move(publisher_address);
  publish_start_ms_ = publish_start_ms;
}

void StreamStats::on_frame(const Frame& frame) {
  ++frames_in_;
  bytes_in_ += frame.data.size();
  if (frame.kind == TrackKind::Video) {
    video_codec_ = frame.codec;
    if (frame.video) video_ = frame.video;
    video_window_.add(frame.dts_ms, frame.data.size());
    if (frame.cts_ms != 0) bframes_ = true;
    if (frame.keyframe) {
      if (has_keyframe_ && frame.dts_ms > last_keyframe_dts_) {
        keyframe_interval_ms_ = frame.dts_ms - last_keyframe_dts_;
      }
      has_keyframe_ = true;
      last_keyframe_dts_ = frame.dts_ms;
    }
  } else {
    audio_codec_ = frame.codec;
    if (frame.audio) audio_ = frame.audio;
    audio_window_.add(frame.dts_ms, frame.data.size());
  }
}

StreamStatus StreamStats::snapshot() const {
  StreamStatus s;
  s.active = active_;
  s.publisher_address = publisher_address_;
  s.publish_start_ms = publish_start_ms_;
  if (video_codec_ != Codec::Unknown) s.video_codec = codec_name(video_codec_);
  if (video_) {
    if (video_->codec == Codec::H264) {
      s.video_profile = h264_profile_name(video_->profile_idc, video_->constraint_flags);
    }
    s.profile_idc = video_->profile_idc;
    s.level_idc = video_->level_idc;
    s.width = video_->width;
    s.height = video_->height;
  }
  s.fps = video_window_.rate_per_s();
  s.video_kbps = video_window_.kbps();
  s.keyframe_interval_ms = keyframe_interval_ms_;
  s.bframes = bframes_;
  if (audio_codec_ != Codec::Unknown) s.audio_codec = codec_name(audio_codec_);
  if (audio_) {
    s.sample_rate = audio_->sbr && audio_->extension_sample_rate != 0
                        ? audio_->extension_sample_rate
                        : audio_->sample_rate;
    s.channels = audio_->channels;
  }
  s.audio_kbps = audio_window_.kbps();
  s.bitrate_kbps = s.video_kbps + s.audio_kbps;
  s.frames_in = frames_in_;
  s.bytes_in = bytes_in_;
  return s;
}

}  // namespace media
