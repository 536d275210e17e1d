#pragma once
// The reverse of FlvDemuxer for RTMP play: FLV tag body headers for frames (FLV spec v10.1
// E.4.3.1 VIDEODATA + AVCVIDEOPACKET, E.4.2.1 AUDIODATA + AACAUDIODATA) and complete sequence
// header bodies. A frame goes out as header + frame.data, so the frame is never copied.
// Only H.264 and AAC frames are muxed (the only ones FlvDemuxer produces).
#include <array>
#include <cstdint>
#include <vector>

#include "media/frame.hpp"

namespace rtmp {

class FlvMuxer {
 public:
  static constexpr size_t VideoHeaderSize = 5;
  static constexpr size_t AudioHeaderSize = 2;

  static bool can_mux(const media::Frame& frame) noexcept {
    return frame.codec == media::Codec::H264 || frame.codec == media::Codec::AAC;
  }

  // FrameType (1 key, 2 inter) | CodecID 7, AVCPacketType 1, CompositionTime SI24 (clamped).
  static std::array<uint8_t, VideoHeaderSize> video_frame_header(
      const media::Frame& frame) noexcept;
  // 0xAF (AAC; rate/size/type fixed for AAC by E.4.2.1), AACPacketType 1.
  static std::array<uint8_t, AudioHeaderSize> audio_frame_header(
      const media::Frame& frame) noexcept;

  // 0x17 0x00 0 0 0 + avcC announcing 4-byte NAL lengths (frames are normalized at ingest).
  static std::vector<uint8_t> video_sequence_header(const media::VideoConfig& config);
  // 0xAF 0x00 + AudioSpecificConfig.
  static std::vector<uint8_t> audio_sequence_header(const media::AudioConfig& config);
  // 0x17 0x02 0 0 0: AVC end of sequence.
  static std::array<uint8_t, VideoHeaderSize> video_end_of_sequence() noexcept;
};

}  // namespace rtmp
