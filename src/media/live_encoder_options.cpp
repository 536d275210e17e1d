#include "media/detail/live_encoder_options.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/dict.h>
}

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <string_view>

namespace media::detail {
namespace {

struct DictFree {
  void operator()(AVDictionary* d) const noexcept { av_dict_free(&d); }
};
using DictPtr = std::unique_ptr<AVDictionary, DictFree>;

struct Option {
  const char* key;
  std::string value;
};

// avcodec_open2 with `options`; every one must be consumed (a leftover was not understood).
template <size_t N>
bool open_with(AVCodecContext& ctx, const AVCodec& codec,
               const std::array<Option, N>& options) noexcept {
  AVDictionary* raw = nullptr;
  for (const Option& o : options) {
    if (av_dict_set(&raw, o.key, o.value.c_str(), 0) < 0) {
      av_dict_free(&raw);
      return false;
    }
  }
  DictPtr opts(raw);
  AVDictionary* d = opts.release();
  const int rc = avcodec_open2(&ctx, &codec, &d);
  opts.reset(d);
  return rc >= 0 && av_dict_count(opts.get()) == 0;
}

// Not noexcept: the option strings may throw std::bad_alloc, caught by open_live_encoder.
bool open_h264(AVCodecContext& ctx, const AVCodec& codec, const VideoTranscoderConfig& config) {
  ctx.rc_max_rate = config.bitrate;
  // Half a second of VBV bounds a keyframe to about that much data: every viewer of a rung gets
  // its keyframe at the same moment, and with 1 s twenty viewers sharing a classroom's link
  // overflowed its queue with keyframes every GOP (bench/RESULTS.md, shared bottleneck).
  ctx.rc_buffer_size = config.bitrate / 2;
  ctx.keyint_min = ctx.gop_size;
  ctx.max_b_frames = 0;
  // SPS/PPS once, out of band: the config carries them, access units carry only slices.
  ctx.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  const char* profile =
      config.profile == H264OutputProfile::ConstrainedBaseline ? "baseline" : "main";
  // forced-idr: a requested keyframe is an IDR, not a recovery point a joining viewer cannot
  // start from. scenecut=0: keyframes exactly every GOP, none in between.
  const std::array<Option, 5> options = {{{"preset", config.preset},
                                          {"tune", "zerolatency"},
                                          {"profile", profile},
                                          {"forced-idr", "1"},
                                          {"x264-params", "scenecut=0"}}};
  // A misspelt preset fails avcodec_open2 itself.
  return open_with(ctx, codec, options) && ctx.extradata != nullptr;
}

// libvpx's VP8 as WebRTC senders run it (libwebrtc's LibvpxVp8Encoder): constant bit rate that
// may undershoot freely and overshoot by 15 %, one frame in, one frame out (no lookahead, no
// alt-ref), a fixed speed, and blocks that did not change skipped (a still slide costs little).
// In real time a negative cpu-used is a fixed speed; a positive one lets libvpx pick the speed
// from how long frames took, so the output would depend on the machine's load.
bool open_vp8(AVCodecContext& ctx, const AVCodec& codec, const VideoTranscoderConfig& config,
              double fps) {
  // libvpxenc picks VPX_CBR when min, max and target rate are equal. Buffer 1 s (libwebrtc's;
  // H.264 has 0.5 s), starting half full; libavcodec sets the optimal level to 5/6 of it.
  ctx.rc_min_rate = config.bitrate;
  ctx.rc_max_rate = config.bitrate;
  ctx.rc_buffer_size = config.bitrate;
  ctx.rc_initial_buffer_occupancy = config.bitrate / 2;
  ctx.keyint_min = ctx.gop_size;  // kf_min_dist = kf_max_dist: keyframes every GOP exactly
  // libvpxenc (FFmpeg 5.1) gives libvpx ticks_per_frame as each frame's duration, and libvpx
  // takes the first frame's for the frame rate: 1 ms would starve the first keyframe.
  ctx.ticks_per_frame = std::max(1, static_cast<int>(std::lround(1000 / fps)));
  // A keyframe may take half the optimal buffer (libwebrtc's MaxIntraTarget), in percent of an
  // average frame, never under 3 frames' worth.
  const double optimal_buffer_s = 5.0 / 6.0;
  const long max_intra = std::max(300L, std::lround(optimal_buffer_s * 0.5 * fps * 100));
  // error-resilient: entropy contexts reset every frame, so a frame lost for good (a NACK
  // that came too late) leaves the next ones decodable instead of corrupt until a keyframe.
  const std::array<Option, 9> options = {{{"deadline", "realtime"},
                                          {"cpu-used", std::to_string(-config.vp8_speed)},
                                          {"lag-in-frames", "0"},
                                          {"auto-alt-ref", "0"},
                                          {"error-resilient", "default"},
                                          {"static-thresh", "1"},
                                          {"max-intra-rate", std::to_string(max_intra)},
                                          {"undershoot-pct", "100"},
                                          {"overshoot-pct", "15"}}};
  return open_with(ctx, codec, options);
}

}  // namespace

bool known_x264_preset(const std::string& name) noexcept {
  static constexpr std::array<std::string_view, 10> Presets = {
      "ultrafast", "superfast", "veryfast", "faster",   "fast",
      "medium",    "slow",      "slower",   "veryslow", "placebo"};
  return std::find(Presets.begin(), Presets.end(), name) != Presets.end();
}

bool open_live_encoder(AVCodecContext& ctx, const AVCodec& codec,
                       const VideoTranscoderConfig& config, double fps) noexcept {
  ctx.bit_rate = config.bitrate;
  ctx.gop_size = std::max(1, static_cast<int>(std::lround(config.gop_seconds * fps)));
  ctx.thread_count = config.threads;
  try {
    return config.output_codec == Codec::VP8 ? open_vp8(ctx, codec, config, fps)
                                             : open_h264(ctx, codec, config);
  } catch (const std::bad_alloc&) {  // the option strings
    return false;
  }
}

}  // namespace media::detail
