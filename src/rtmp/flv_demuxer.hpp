#pragma once
// Turns the audio, video and data messages of one RTMP publish into media::Frame objects (FLV
// tag bodies: FLV spec v10.1 E.4.2.1 AUDIODATA, E.4.3.1 VIDEODATA; Enhanced RTMP v1/v2
// ExHeader with FourCC). H.264 and AAC become playable frames; other codecs are recognised and
// reported but produce no frames yet. Sans-I/O: the arrival time comes in as an argument.
// One instance per publish; not thread-safe (used on the publisher's session only).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "media/frame.hpp"
#include "rtmp/message.hpp"

namespace rtmp {

struct DemuxResult {
  media::FramePtr frame;                       // a playable frame, or null
  bool config_changed = false;                 // a new (different) sequence header was accepted
  bool metadata_changed = false;               // metadata() holds a new onMetaData body
  media::Codec codec = media::Codec::Unknown;  // codec of the message, also when not playable
  std::string error;   // non-empty: malformed input; the caller closes the connection
  std::string notice;  // non-empty: worth one log line (reported once per codec per publish)
};

class FlvDemuxer {
 public:
  static constexpr size_t MaxMetadataSize = 64 * 1024;

  DemuxResult on_message(MessageType type, uint32_t timestamp, std::span<const uint8_t> payload,
                         int64_t arrival_ns);

  const std::shared_ptr<const media::VideoConfig>& video_config() const noexcept { return video_; }
  const std::shared_ptr<const media::AudioConfig>& audio_config() const noexcept { return audio_; }
  // The publisher's metadata as an AMF0 data message body starting with the string
  // "onMetaData" ("@setDataFrame" removed), ready to forward to players as message type 18.
  const std::shared_ptr<const std::vector<uint8_t>>& metadata() const noexcept { return metadata_; }
  // NAL length size announced by the current avcC (frames are normalized to 4 regardless).
  uint8_t nalu_length_size() const noexcept { return nalu_length_size_; }
  // Frames that came before their sequence header and were dropped.
  uint64_t dropped_before_config() const noexcept { return dropped_before_config_; }
  // Messages of codecs or packet types we do not turn into frames.
  uint64_t ignored_messages() const noexcept { return ignored_messages_; }

  // 32-bit RTMP timestamps extended to 64 bits across the wrap (about 49.7 days); small
  // backward steps (audio and video interleaving) stay small.
  int64_t extend_timestamp(uint32_t timestamp) noexcept;

 private:
  DemuxResult on_video(std::span<const uint8_t> payload, int64_t dts, int64_t arrival_ns);
  DemuxResult on_audio(std::span<const uint8_t> payload, int64_t dts, int64_t arrival_ns);
  DemuxResult on_data(std::span<const uint8_t> payload);
  DemuxResult on_avc(uint8_t packet_type, bool keyframe, int32_t cts, std::span<const uint8_t> body,
                     int64_t dts, int64_t arrival_ns);
  DemuxResult on_aac(uint8_t packet_type, std::span<const uint8_t> body, int64_t dts,
                     int64_t arrival_ns);
  DemuxResult on_opus(uint8_t packet_type, std::span<const uint8_t> body, int64_t dts,
                      int64_t arrival_ns);
  DemuxResult unsupported(media::Codec codec, const char* what, uint32_t value,
                          bool value_is_fourcc = false);
  // After the sequence-start case: whether a coded frame follows. An end of sequence, an empty
  // body or a frame before any sequence header (counted) is none; an unknown packet type sets
  // `result.error`.
  bool wants_coded_frame(uint8_t packet_type, bool configured, const char* codec_name,
                         std::span<const uint8_t> body, DemuxResult& result);
  media::FramePtr audio_frame(media::Codec codec, std::span<const uint8_t> body, int64_t dts,
                              int64_t arrival_ns) const;

  struct Reported {
    const char* what;
    uint32_t value;
    bool operator==(const Reported&) const = default;
  };
  static constexpr size_t MaxNotices = 16;

  std::shared_ptr<const media::VideoConfig> video_;
  std::shared_ptr<const media::AudioConfig> audio_;
  std::shared_ptr<const std::vector<uint8_t>> metadata_;
  uint8_t nalu_length_size_ = 4;
  bool has_timestamp_ = false;
  uint32_t last_timestamp_ = 0;
  int64_t last_extended_ = 0;
  uint64_t dropped_before_config_ = 0;
  uint64_t ignored_messages_ = 0;
  std::vector<Reported> reported_;  // notices already given
};

}  // namespace rtmp
