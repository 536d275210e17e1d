#pragma once
// The live settings of VideoTranscoder's encoders (libx264 or libvpx's VP8 through libavcodec),
// apart from its pipeline so that each codec's choices sit together. Private to src/media.
#include <string>

#include "media/video_transcoder.hpp"

struct AVCodec;
struct AVCodecContext;

namespace media::detail {

// x264's preset names (x264.h x264_preset_names); checked up front because libx264 reports an
// unknown one on stderr itself and only fails when the first frame opens the encoder.
bool known_x264_preset(const std::string& name) noexcept;

// Sets rate control, GOP, threads and the codec's private options on `ctx` (allocated for
// `codec`, size, pixel format and timing already set by the caller) and opens it. False when
// libavcodec refuses or leaves an option unused (a name this FFmpeg does not know).
bool open_live_encoder(AVCodecContext& ctx, const AVCodec& codec,
                       const VideoTranscoderConfig& config, double fps) noexcept;

}  // namespace media::detail
