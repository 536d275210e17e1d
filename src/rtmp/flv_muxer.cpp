#include "rtmp/flv_muxer.hpp"

#include <algorithm>

#include "media/avc_config.hpp"

namespace rtmp {
namespace {

constexpr uint8_t AvcKey = 0x17;    // FrameType 1, CodecID 7
constexpr uint8_t AvcInter = 0x27;  // FrameType 2, CodecID 7
constexpr uint8_t AacTag = 0xaf;    // SoundFormat 10, 44 kHz, 16 bit, stereo (fixed for AAC)

}  // namespace

std::array<uint8_t, FlvMuxer::VideoHeaderSize> FlvMuxer::video_frame_header(
    const media::Frame& frame) noexcept {
  const int32_t cts = std::clamp<int32_t>(frame.cts_ms, -0x800000, 0x7fffff);
  const auto v = static_cast<uint32_t>(cts) & 0xffffff;
  return {frame.keyframe ? AvcKey : AvcInter, 1, static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

std::array<uint8_t, FlvMuxer::AudioHeaderSize> FlvMuxer::audio_frame_header(
    const media::Frame&) noexcept {
  return {AacTag, 1};
}

std::vector<uint8_t> FlvMuxer::video_sequence_header(const media::VideoConfig& config) {
  const std::vector<uint8_t> record = media::make_avc_record(config);
  std::vector<uint8_t> out = {AvcKey, 0, 0, 0, 0};
  out.insert(out.end(), record.begin(), record.end());
  return out;
}

std::vector<uint8_t> FlvMuxer::audio_sequence_header(const media::AudioConfig& config) {
  std::vector<uint8_t> out = {AacTag, 0};
  out.insert(out.end(), config.record.begin(), config.record.end());
  return out;
}

std::array<uint8_t, FlvMuxer::VideoHeaderSize> FlvMuxer::video_end_of_sequence() noexcept {
  return {AvcKey, 2, 0, 0, 0};
}

}  // namespace rtmp
