#pragma once
// The unit that flows from ingest to every reader: one access unit of one track. Frames are
// immutable once built and shared by pointer between all readers, never copied per reader.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace media {

// VP8: what VideoTranscoder makes for viewers without H.264 (ingest does not produce it).
enum class Codec : uint8_t { Unknown, H264, H265, AV1, VP9, AAC, Opus, MP3, VP8 };
enum class TrackKind : uint8_t { Video, Audio };

const char* codec_name(Codec c) noexcept;

// Decoder configuration of a video track, as announced by the publisher's sequence header.
// VP8 (a transcoder's output) has no decoder configuration: record, sps and pps stay empty and
// the profile fields 0; width, height and fps describe the encoded pictures.
struct VideoConfig {
  Codec codec = Codec::H264;
  std::vector<uint8_t> record;  // AVCDecoderConfigurationRecord (avcC) exactly as received
  std::vector<std::vector<uint8_t>> sps;
  std::vector<std::vector<uint8_t>> pps;
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;
  uint8_t level_idc = 0;
  uint32_t width = 0;  // from the SPS, after cropping
  uint32_t height = 0;
  double fps = 0;  // from the SPS VUI timing info; 0 when absent
};

// Decoder configuration of an audio track.
struct AudioConfig {
  Codec codec = Codec::AAC;
  std::vector<uint8_t> record;  // AudioSpecificConfig exactly as received
  uint8_t object_type = 0;      // 2 = AAC-LC, 5 = SBR (HE-AAC), 29 = PS
  uint32_t sample_rate = 0;     // of the core decoder
  uint8_t channels = 0;
  bool sbr = false;                    // HE-AAC: output rate is twice sample_rate
  bool ps = false;                     // HE-AAC v2 parametric stereo (channels already counts 2)
  uint32_t extension_sample_rate = 0;  // SBR output rate as signalled; 0 without SBR
};

struct Frame {
  TrackKind kind = TrackKind::Video;
  Codec codec = Codec::Unknown;
  bool keyframe = false;
  int64_t dts_ms = 0;      // publisher clock, milliseconds, extended past 32-bit wrap
  int32_t cts_ms = 0;      // composition offset: pts = dts + cts (non-zero means B-frames)
  int64_t arrival_ns = 0;  // steady clock when the message was complete; for latency metrics
  // Configuration in effect for this frame; a new sequence header makes a new config object.
  std::shared_ptr<const VideoConfig> video;
  std::shared_ptr<const AudioConfig> audio;
  // H.264: NAL units, each with a 4-byte big-endian length prefix (AVCC, normalized at ingest).
  // VP8: one compressed frame as libvpx emits it (RFC 6386 section 9.1: frame tag first);
  // dts = pts. AAC: one raw access unit without ADTS header.
  std::vector<uint8_t> data;

  int64_t pts_ms() const noexcept { return dts_ms + cts_ms; }
};

using FramePtr = std::shared_ptr<const Frame>;

}  // namespace media
