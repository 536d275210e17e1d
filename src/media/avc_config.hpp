#pragma once
// AVCDecoderConfigurationRecord ("avcC", ISO/IEC 14496-15 5.3.3.1): the H.264 sequence header
// an RTMP publisher sends before its first frame.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/frame.hpp"
#include "media/h264_sps.hpp"

namespace media {

struct AvcConfig {
  uint8_t version = 1;
  uint8_t profile = 0;           // AVCProfileIndication
  uint8_t compatibility = 0;     // profile_compatibility
  uint8_t level = 0;             // AVCLevelIndication
  uint8_t nalu_length_size = 4;  // 1, 2, 3 or 4 bytes before each NAL unit of a frame
  std::vector<std::vector<uint8_t>> sps;
  std::vector<std::vector<uint8_t>> pps;
  H264Sps first_sps;  // the decoded first SPS: picture size, fps

  // Rejects a record whose counts or lengths point past its end, without an SPS or PPS, or
  // whose first SPS does not parse.
  static std::optional<AvcConfig> parse(std::span<const uint8_t> record) noexcept;

  // The shared config for frames; `record` is the exact bytes parse() was given.
  VideoConfig to_video_config(std::span<const uint8_t> record) const;
};

// The record to send to players of frames normalized to 4-byte NAL lengths: the received record
// with lengthSizeMinusOne set to 3, or one built from config.sps/pps when the record is empty.
std::vector<uint8_t> make_avc_record(const VideoConfig& config);

}  // namespace media
