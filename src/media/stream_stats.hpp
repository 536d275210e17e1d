#pragma once
// Running statistics of one published stream, measured on the publisher's own timeline (DTS), so
// no clock is read here: rates are over the last ~2 s of media, and freeze while no frames come
// (a still screen share sends few or none). Not thread-safe: Stream guards it.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "media/frame.hpp"

namespace media {

struct StreamStatus {
  std::string path;
  bool active = false;  // a publisher is on the path
  std::string publisher_address;
  int64_t publish_start_ms = 0;  // as given in PublisherInfo
  // Video; empty codec when the publisher sent no video config yet.
  std::string video_codec;
  std::string video_profile;  // "High", "Constrained Baseline", ...
  uint32_t profile_idc = 0;
  uint32_t level_idc = 0;  // 31 = level 3.1
  uint32_t width = 0;
  uint32_t height = 0;
  double fps = 0;  // measured
  uint32_t video_kbps = 0;
  int64_t keyframe_interval_ms = 0;  // between the last two keyframes; 0 before the second
  bool bframes = false;              // some video frame had a composition offset
  // Audio; empty codec without audio.
  std::string audio_codec;
  uint32_t sample_rate = 0;  // output rate (SBR doubled)
  uint32_t channels = 0;
  uint32_t audio_kbps = 0;
  uint32_t bitrate_kbps = 0;  // video + audio
  uint64_t frames_in = 0;
  uint64_t bytes_in = 0;
  size_t readers = 0;
};

class StreamStats {
 public:
  static constexpr int64_t WindowMs = 2000;
  static constexpr size_t MaxSamples = 2048;  // a frame flood cannot grow the window

  // A new publisher: everything restarts.
  void start(std::string publisher_address, int64_t publish_start_ms);
  // The publisher left: active is cleared, the last numbers stay readable.
  void stop() noexcept { active_ = false; }
  void on_frame(const Frame& frame);
  // All fields but path and readers, which the Stream fills in.
  StreamStatus snapshot() const;

 private:
  struct Sample {
    int64_t dts_ms;
    size_t bytes;
  };
  class Window {
   public:
    void add(int64_t dts_ms, size_t bytes);
    double rate_per_s() const noexcept;  // samples per second
    uint32_t kbps() const noexcept;
    void clear() noexcept { samples_.clear(); }

   private:
    std::deque<Sample> samples_;
  };

  bool active_ = false;
  std::string publisher_address_;
  int64_t publish_start_ms_ = 0;
  std::shared_ptr<const VideoConfig> video_;
  std::shared_ptr<const AudioConfig> audio_;
  Codec video_codec_ = Codec::Unknown;
  Codec audio_codec_ = Codec::Unknown;
  Window video_window_;
  Window audio_window_;
  bool has_keyframe_ = false;
  int64_t last_keyframe_dts_ = 0;
  int64_t keyframe_interval_ms_ = 0;
  bool bframes_ = false;
  uint64_t frames_in_ = 0;
  uint64_t bytes_in_ = 0;
};

}  // namespace media
