#include "media/frame.hpp"

namespace media {

const char* codec_name(Codec c) noexcept {
  switch (c) {
    case Codec::H264:
      return "H264";
    case Codec::H265:
      return "H265";
    case Codec::AV1:
      return "AV1";
    case Codec::VP9:
      return "VP9";
    case Codec::VP8:
      return "VP8";
    case Codec::AAC:
      return "AAC";
    case Codec::Opus:
      return "Opus";
    case Codec::MP3:
      return "MP3";
    case Codec::Unknown:
      break;
  }
  return "unknown";
}

}  // namespace media
