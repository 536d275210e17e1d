#pragma once
// What both transcoders need around libavcodec: owning deleters for its objects and one switch
// that silences FFmpeg's own logging. Private to src/media (a detail header, C headers of
// FFmpeg included by the .cpp that uses it).
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
}

#include <mutex>

namespace media::detail {

struct CodecContextFree {
  void operator()(AVCodecContext* c) const noexcept { avcodec_free_context(&c); }
};
struct PacketFree {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
struct FrameFree {
  void operator()(AVFrame* f) const noexcept { av_frame_free(&f); }
};

// FFmpeg reports every corrupt frame or slice at error level on stderr; a hostile publisher
// would turn that into a log flood. The transcoders' status counters replace it.
inline void quiet_ffmpeg() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

}  // namespace media::detail
