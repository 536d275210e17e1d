#include "rtmp/flv_demuxer.hpp"

#include <algorithm>
#include <string_view>

#include "base/byte_reader.hpp"
#include "media/aac_config.hpp"
#include "media/avc_config.hpp"

namespace rtmp {
namespace {

// FLV spec E.4.3.1 CodecID and FrameType, E.4.2.1 SoundFormat.
constexpr uint8_t CodecAvc = 7;
constexpr uint8_t CodecHevcLegacy = 12;  // non-standard, used by some Chinese CDNs
constexpr uint8_t FrameKey = 1;
constexpr uint8_t FrameCommand = 5;
constexpr uint8_t SoundAac = 10;
constexpr uint8_t SoundMp3 = 2;
constexpr uint8_t SoundExHeader = 9;  // Enhanced RTMP audio

// Enhanced RTMP PacketType values shared by the first three audio/video packet types.
constexpr uint8_t PacketSequenceStart = 0;
constexpr uint8_t PacketCodedFrames = 1;
constexpr uint8_t PacketSequenceEnd = 2;
constexpr uint8_t PacketCodedFramesX = 3;  // video only: no composition time
constexpr uint8_t PacketAudioMultitrack = 5;
constexpr uint8_t PacketMultitrack = 6;  // video
constexpr uint8_t PacketModEx = 7;

constexpr uint32_t fourcc(const char (&s)[5]) {
  return uint32_t{uint8_t(s[0])} << 24 | uint32_t{uint8_t(s[1])} << 16 |
         uint32_t{uint8_t(s[2])} << 8 | uint32_t{uint8_t(s[3])};
}

media::Codec video_fourcc(uint32_t cc) noexcept {
  switch (cc) {
    case fourcc("avc1"):
      return media::Codec::H264;
    case fourcc("hvc1"):
      return media::Codec::H265;
    case fourcc("av01"):
      return media::Codec::AV1;
    case fourcc("vp09"):
      return media::Codec::VP9;
    default:
      return media::Codec::Unknown;
  }
}

media::Codec audio_fourcc(uint32_t cc) noexcept {
  switch (cc) {
    case fourcc("mp4a"):
      return media::Codec::AAC;
    case fourcc("Opus"):
      return media::Codec::Opus;
    case fourcc(".mp3"):
      return media::Codec::MP3;
    default:
      return media::Codec::Unknown;
  }
}

std::string fourcc_text(uint32_t cc) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>((cc >> shift) & 0xff);
    s += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return s;
}

int32_t sign_extend_24(uint32_t v) noexcept {
  return (v & 0x800000u) ? static_cast<int32_t>(v) - 0x1000000 : static_cast<int32_t>(v);
}

// Copies length-prefixed NAL units (ISO 14496-15 5.3.4.2: lengthSizeMinusOne + 1 bytes each)
// into `out` with 4-byte prefixes. Every length is checked against what is left; zero-length
// units are dropped. Sets has_idr when a NAL unit of type 5 is present.
bool normalize_nal_units(std::span<const uint8_t> in, uint8_t length_size,
                         std::vector<uint8_t>& out, bool& has_idr) {
  size_t count = 0;
  bool as_is = length_size == 4;
  for (size_t pos = 0; pos < in.size();) {
    if (in.size() - pos < length_size) return false;
    uint32_t len = 0;
    for (uint8_t i = 0; i < length_size; ++i)
      len = (len << 8) | in[pos + i];
    pos += length_size;
    if (len > in.size() - pos) return false;
    if (len == 0) as_is = false;
    if (len > 0 && (in[pos] & 0x1f) == 5) has_idr = true;
    pos += len;
    ++count;
  }
  if (as_is) {
    out.assign(in.begin(), in.end());
    return true;
  }
  out.reserve(in.size() + count * (4 - length_size));
  for (size_t pos = 0; pos < in.size();) {
    uint32_t len = 0;
    for (uint8_t i = 0; i < length_size; ++i)
      len = (len << 8) | in[pos + i];
    pos += length_size;
    if (len > 0) {
      for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(uint8_t(len >> shift));
      out.insert(out.end(), in.begin() + static_cast<ptrdiff_t>(pos),
                 in.begin() + static_cast<ptrdiff_t>(pos + len));
    }
    pos += len;
  }
  return true;
}

DemuxResult failure(media::Codec codec, const char* what) {
  DemuxResult r;
  r.codec = codec;
  r.error = what;
  return r;
}

// AMF0 string marker and value (AMF0 spec 2.4): the only type we need to classify a data message.
std::optional<std::string_view> amf0_string(base::ByteReader& r) noexcept {
  const auto marker = r.u8();
  if (!marker || *marker != 0x02) return std::nullopt;
  const auto len = r.u16();
  if (!len) return std::nullopt;
  return r.string(*len);
}

}  // namespace

int64_t FlvDemuxer::extend_timestamp(uint32_t timestamp) noexcept {
  if (!has_timestamp_) {
    has_timestamp_ = true;
    last_timestamp_ = timestamp;
    last_extended_ = timestamp;
    return last_extended_;
  }
  // The signed 32-bit difference is right across the wrap in both directions.
  const int64_t extended = last_extended_ + static_cast<int32_t>(timestamp - last_timestamp_);
  if (extended > last_extended_) {
    last_extended_ = extended;
    last_timestamp_ = timestamp;
  }
  return extended;
}

DemuxResult FlvDemuxer::on_message(MessageType type, uint32_t timestamp,
                                   std::span<const uint8_t> payload, int64_t arrival_ns) {
  switch (type) {
    case MessageType::Video:
      if (payload.empty()) return {};  // some encoders send empty messages: nothing to do
      return on_video(payload, extend_timestamp(timestamp), arrival_ns);
    case MessageType::Audio:
      if (payload.empty()) return {};
      return on_audio(payload, extend_timestamp(timestamp), arrival_ns);
    case MessageType::DataAmf0:
      return on_data(payload);
    default:
      ++ignored_messages_;
      return {};
  }
}

DemuxResult FlvDemuxer::on_video(std::span<const uint8_t> payload, int64_t dts,
                                 int64_t arrival_ns) {
  base::ByteReader r(payload);
  const uint8_t first = *r.u8();
  if (first & 0x80) {
    // Enhanced RTMP: IsExHeader, FrameType UB[3], PacketType UB[4], FourCC.
    const uint8_t frame_type = (first >> 4) & 0x07;
    const uint8_t packet_type = first & 0x0f;
    if (packet_type == PacketMultitrack || packet_type == PacketModEx) {
      // The FourCC is not in the usual place for these; the whole message is skipped.
      return unsupported(media::Codec::Unknown, "enhanced video packet type", packet_type);
    }
    const auto cc = r.u32();
    if (!cc) return failure(media::Codec::Unknown, "truncated enhanced video tag header");
    if (frame_type == FrameCommand) return {};
    const media::Codec codec = video_fourcc(*cc);
    if (codec != media::Codec::H264) {
      return unsupported(codec, "video FourCC", *cc, true);
    }
    int32_t cts = 0;
    if (packet_type == PacketCodedFrames) {
      const auto raw = r.u24();
      if (!raw) return failure(media::Codec::H264, "truncated enhanced video tag header");
      cts = sign_extend_24(*raw);
    } else if (packet_type == PacketCodedFramesX) {
      // CodedFramesX: composition time is zero and omitted.
    } else if (packet_type != PacketSequenceStart && packet_type != PacketSequenceEnd) {
      return unsupported(media::Codec::Unknown, "enhanced video packet type", packet_type);
    }
    const uint8_t avc_type = packet_type == PacketCodedFramesX ? PacketCodedFrames : packet_type;
    return on_avc(avc_type, frame_type == FrameKey, cts, r.rest(), dts, arrival_ns);
  }
  const uint8_t frame_type = first >> 4;
  const uint8_t codec_id = first & 0x0f;
  if (frame_type == FrameCommand) return {};  // video info/command frame: no picture
  if (codec_id == CodecHevcLegacy) {
    return unsupported(media::Codec::H265, "video codec id", codec_id);
  }
  if (codec_id != CodecAvc) {
    return unsupported(media::Codec::Unknown, "video codec id", codec_id);
  }
  // E.4.3.1 AVCVIDEOPACKET header: AVCPacketType UI8, CompositionTime SI24.
  const auto packet_type = r.u8();
  const auto raw_cts = r.u24();
  if (!raw_cts) return failure(media::Codec::H264, "truncated AVC video tag header");
  return on_avc(*packet_type, frame_type == FrameKey, sign_extend_24(*raw_cts), r.rest(), dts,
                arrival_ns);
}

DemuxResult FlvDemuxer::on_avc(uint8_t packet_type, bool keyframe, int32_t cts,
                               std::span<const uint8_t> body, int64_t dts, int64_t arrival_ns) {
  DemuxResult result;
  result.codec = media::Codec::H264;
  if (packet_type == PacketSequenceStart) {
    if (video_ &&
        std::equal(body.begin(), body.end(), video_->record.begin(), video_->record.end())) {
      return result;  // repeated at every keyframe by some encoders
    }
    const auto config = media::AvcConfig::parse(body);
    if (!config) {
      result.error = "bad AVC sequence header (AVCDecoderConfigurationRecord)";
      return result;
    }
    video_ = std::make_shared<const media::VideoConfig>(config->to_video_config(body));
    nalu_length_size_ = config->nalu_length_size;
    result.config_changed = true;
    return result;
  }
  if (!wants_coded_frame(packet_type, video_ != nullptr, "AVC", body, result)) return result;
  auto frame = std::make_shared<media::Frame>();
  bool has_idr = false;
  if (!normalize_nal_units(body, nalu_length_size_, frame->data, has_idr)) {
    result.error = "NAL unit length past the end of the video message";
    return result;
  }
  if (frame->data.empty()) return result;  // only zero-length NAL units
  frame->kind = media::TrackKind::Video;
  frame->codec = media::Codec::H264;
  frame->keyframe = keyframe || has_idr;
  frame->dts_ms = dts;
  frame->cts_ms = cts;
  frame->arrival_ns = arrival_ns;
  frame->video = video_;
  result.frame = std::move(frame);
  return result;
}

DemuxResult FlvDemuxer::on_audio(std::span<const uint8_t> payload, int64_t dts,
                                 int64_t arrival_ns) {
  base::ByteReader r(payload);
  const uint8_t first = *r.u8();
  const uint8_t format = first >> 4;
  if (format == SoundExHeader) {
    // Enhanced RTMP v2: SoundFormat 9, AudioPacketType UB[4], FourCC.
    const uint8_t packet_type = first & 0x0f;
    if (packet_type == PacketAudioMultitrack || packet_type == PacketModEx) {
      return unsupported(media::Codec::Unknown, "enhanced audio packet type", packet_type);
    }
    const auto cc = r.u32();
    if (!cc) return failure(media::Codec::Unknown, "truncated enhanced audio tag header");
    const media::Codec codec = audio_fourcc(*cc);
    if (codec != media::Codec::AAC && codec != media::Codec::Opus) {
      return unsupported(codec, "audio FourCC", *cc, true);
    }
    if (packet_type > PacketSequenceEnd) {
      return unsupported(media::Codec::Unknown, "enhanced audio packet type", packet_type);
    }
    if (codec == media::Codec::Opus) return on_opus(packet_type, r.rest(), dts, arrival_ns);
    return on_aac(packet_type, r.rest(), dts, arrival_ns);
  }
  if (format == SoundMp3) return unsupported(media::Codec::MP3, "audio sound format (MP3)", format);
  if (format != SoundAac) {
    return unsupported(media::Codec::Unknown, "audio sound format", format);
  }
  // E.4.2.1 AACAUDIODATA: AACPacketType UI8.
  const auto packet_type = r.u8();
  if (!packet_type) return failure(media::Codec::AAC, "truncated AAC audio tag header");
  return on_aac(*packet_type, r.rest(), dts, arrival_ns);
}

DemuxResult FlvDemuxer::on_aac(uint8_t packet_type, std::span<const uint8_t> body, int64_t dts,
                               int64_t arrival_ns) {
  DemuxResult result;
  result.codec = media::Codec::AAC;
  if (packet_type == PacketSequenceStart) {
    if (audio_ &&
        std::equal(body.begin(), body.end(), audio_->record.begin(), audio_->record.end())) {
      return result;
    }
    const auto config = media::AacConfig::parse(body);
    if (!config) {
      result.error = "bad AAC sequence header (AudioSpecificConfig)";
      return result;
    }
    audio_ = std::make_shared<const media::AudioConfig>(config->to_audio_config(body));
    result.config_changed = true;
    return result;
  }
  if (!wants_coded_frame(packet_type, audio_ != nullptr, "AAC", body, result)) return result;
  result.frame = audio_frame(media::Codec::AAC, body, dts, arrival_ns);
  return result;
}

bool FlvDemuxer::wants_coded_frame(uint8_t packet_type, bool configured, const char* codec_name,
                                   std::span<const uint8_t> body, DemuxResult& result) {
  if (packet_type == PacketSequenceEnd) return false;
  if (packet_type != PacketCodedFrames) {
    result.error =
        std::string("unknown ") + codec_name + " packet type " + std::to_string(packet_type);
    return false;
  }
  if (!configured) {
    ++dropped_before_config_;
    return false;
  }
  return !body.empty();
}

media::FramePtr FlvDemuxer::audio_frame(media::Codec codec, std::span<const uint8_t> body,
                                        int64_t dts, int64_t arrival_ns) const {
  auto frame = std::make_shared<media::Frame>();
  frame->kind = media::TrackKind::Audio;
  frame->codec = codec;
  frame->keyframe = true;  // every AAC access unit or Opus packet decodes on its own
  frame->dts_ms = dts;
  frame->arrival_ns = arrival_ns;
  frame->audio = audio_;
  frame->data.assign(body.begin(), body.end());
  return frame;
}

DemuxResult FlvDemuxer::on_data(std::span<const uint8_t> payload) {
  base::ByteReader r(payload);
  auto name = amf0_string(r);
  if (!name) return {};  // not a named data message: nothing we use
  size_t start = 0;
  if (*name == "@setDataFrame") {
    start = r.position();  // what follows is the onMetaData message players expect
    name = amf0_string(r);
  }
  if (!name || *name != "onMetaData") {
    ++ignored_messages_;
    return {};
  }
  if (payload.size() - start > MaxMetadataSize) {
    return unsupported(media::Codec::Unknown, "onMetaData larger than", MaxMetadataSize);
  }
  metadata_ = std::make_shared<const std::vector<uint8_t>>(payload.begin() + start, payload.end());
  DemuxResult result;
  result.metadata_changed = true;
  return result;
}

DemuxResult FlvDemuxer::unsupported(media::Codec codec, const char* what, uint32_t value,
                                    bool value_is_fourcc) {
  ++ignored_messages_;
  DemuxResult result;
  result.codec = codec;
  // Keyed by the literal's address and the value: no string is built for repeated messages.
  const Reported key{what, value};
  if (reported_.size() < MaxNotices &&
      std::find(reported_.begin(), reported_.end(), key) == reported_.end()) {
    reported_.push_back(key);
    result.notice = std::string("ignoring ") + what + " " +
                    (value_is_fourcc ? "'" + fourcc_text(value) + "'" : std::to_string(value)) +
                    ": not supported yet";
  }
  return result;
}

}  // namespace rtmp

namespace rtmp {

// Enhanced RTMP Opus: SequenceStart carries the OpusHead of RFC 7845 5.1 ("OpusHead", version,
// channel count, pre-skip, input rate, gain, mapping family); CodedFrames one Opus packet each.
// Opus goes to WebRTC as it is: no transcoding.
DemuxResult FlvDemuxer::on_opus(uint8_t packet_type, std::span<const uint8_t> body, int64_t dts,
                                int64_t arrival_ns) {
  DemuxResult result;
  result.codec = media::Codec::Opus;
  if (packet_type == PacketSequenceStart) {
    static constexpr uint8_t kMagic[] = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd'};
    if (body.size() < 19 || body.size() > 1024 || !std::equal(kMagic, kMagic + 8, body.begin()) ||
        body[9] == 0) {
      result.error = "bad Opus sequence header (OpusHead)";
      return result;
    }
    auto config = std::make_shared<media::AudioConfig>();
    config->codec = media::Codec::Opus;
    config->record.assign(body.begin(), body.end());
    config->sample_rate = 48000;  // RFC 7587: the RTP clock is always 48 kHz
    config->channels = body[9];
    if (!audio_ || audio_->record != config->record) {
      audio_ = std::move(config);
      result.config_changed = true;
    }
    return result;
  }
  if (packet_type != PacketCodedFrames || body.empty()) return result;
  if (body.size() > 1275 * 3) {  // RFC 6716 3.4: at most 1275 bytes per frame, 3 frames of 20 ms
    result.error = "Opus packet of " + std::to_string(body.size()) + " bytes";
    return result;
  }
  if (!audio_ || audio_->codec != media::Codec::Opus) {
    // The sequence header is optional for Opus: assume stereo.
    auto config = std::make_shared<media::AudioConfig>();
    config->codec = media::Codec::Opus;
    config->sample_rate = 48000;
    config->channels = 2;
    audio_ = std::move(config);
    result.config_changed = true;
  }
  result.frame = audio_frame(media::Codec::Opus, body, dts, arrival_ns);
  return result;
}

}  // namespace rtmp
