#pragma once
// AAC (what RTMP publishers send) to Opus (what WebRTC browsers play), once per stream and
// never per viewer. FFmpeg's native AAC decoder (extradata = the AudioSpecificConfig), then
// libswresample to interleaved float at 48 kHz (mono stays mono; stereo and anything wider
// become stereo), then libopus in 20 ms packets (960 samples), OPUS_APPLICATION_AUDIO, in-band
// FEC on. Sans-I/O: frames in, packets out, no clock and no logging.
//
// Timeline: packets carry pts_48k, a sample index on one continuous 48 kHz timeline; the first
// access unit's pts maps to 0 and each packet advances it by exactly 960. The sample count
// drives the timeline; input pts are only compared with where the previous access unit ended:
//   |delta| <= ContinuityToleranceMs     continuous (absorbs millisecond rounding and jitter);
//   delta in (tolerance, MaxGapMs]       a real gap: the partial packet is completed with
//                                        silence and the timeline jumps by delta (RTP
//                                        timestamps jump, as with DTX), keeping A/V sync;
//   delta > MaxGapMs or < -tolerance     rebase: the new pts is taken as "right after the last
//                                        sample", no gap, no overlap (publisher restart, wrap).
// A new AudioConfig (other bytes) re-creates the decoder; the resampler follows the decoded
// frame's rate and layout (HE-AAC's SBR rate is only known from the decoded frame), and the
// Opus encoder is re-created only when the output channel count changes (after flushing the
// partial packet with the old one), so the timeline stays continuous across all of these.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/frame.hpp"

namespace media {

struct TranscoderConfig {
  int32_t bitrate = 0;        // bit/s; 0 = 48 kbit/s per output channel (96k stereo, 48k mono)
  int complexity = 10;        // libopus 0..10; 5 roughly halves the encoder CPU
  int packet_loss_perc = 10;  // expected loss, steers the FEC (OPUS_SET_PACKET_LOSS_PERC)
  bool inband_fec = true;
};

// One 20 ms Opus packet. `data` points into the transcoder and is valid until its next call.
struct OpusPacketView {
  std::span<const uint8_t> data;
  int64_t pts_48k = 0;     // first sample of the packet on the continuous 48 kHz timeline
  int64_t arrival_ns = 0;  // arrival_ns of the access unit that completed the packet
  uint8_t channels = 0;    // 1 or 2
};

struct TranscoderStatus {
  Codec input_codec = Codec::Unknown;
  uint8_t input_object_type = 0;   // from the AudioSpecificConfig (2 LC, 5 SBR, 29 PS)
  uint32_t input_sample_rate = 0;  // of the decoded frames (HE-AAC: the SBR output rate)
  uint8_t input_channels = 0;      // of the decoded frames
  int32_t output_bitrate = 0;
  uint8_t output_channels = 0;
  uint64_t frames_in = 0;      // access units pushed
  uint64_t frames_out = 0;     // Opus packets produced
  uint64_t decode_errors = 0;  // access units dropped: corrupt, empty, oversized, not AAC,
                               // missing or unusable AudioSpecificConfig
  uint64_t encode_errors = 0;  // libopus failures (the timeline still advances)
  uint64_t resets = 0;         // decoder re-created for a changed AudioSpecificConfig
  uint64_t gaps = 0;           // forward pts jumps followed by the timeline
  uint64_t rebases = 0;        // backward or > MaxGapMs jumps absorbed
};

class AacOpusTranscoder {
 public:
  static constexpr uint32_t OutputRate = 48000;
  static constexpr size_t FrameSamples = 960;  // 20 ms at 48 kHz
  static constexpr int64_t ContinuityToleranceMs = 40;
  static constexpr int64_t MaxGapMs = 1000;
  // ISO/IEC 14496-3 4.5.3.2: at most 6144 bits per channel per raw data block; 8 channels.
  static constexpr size_t MaxAccessUnitSize = 8 * 768;
  static constexpr size_t MaxConfigSize = 64;  // AudioSpecificConfig bytes accepted

  // Throws std::invalid_argument for an out-of-range config, std::runtime_error when FFmpeg
  // has no native AAC decoder or an allocation fails.
  explicit AacOpusTranscoder(TranscoderConfig config = {});
  ~AacOpusTranscoder();
  AacOpusTranscoder(AacOpusTranscoder&&) noexcept;
  AacOpusTranscoder& operator=(AacOpusTranscoder&&) noexcept;
  AacOpusTranscoder(const AacOpusTranscoder&) = delete;
  AacOpusTranscoder& operator=(const AacOpusTranscoder&) = delete;

  // Transcodes one AAC access unit (Frame::data without ADTS header, Frame::audio set). Returns
  // the packets it completed (zero or more, 20 ms each, in order), valid until the next call.
  // A bad frame is counted in status().decode_errors and dropped; never throws.
  std::span<const OpusPacketView> push(const Frame& aac) noexcept;
  // End of stream: the buffered remainder, completed with silence, as a last packet.
  std::span<const OpusPacketView> flush() noexcept;

  const TranscoderStatus& status() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace media
