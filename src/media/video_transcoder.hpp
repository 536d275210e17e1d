#pragma once
// H.264 in, H.264 out: one rendition of one stream, encoded once and shared by every viewer of
// it. FFmpeg's native H.264 decoder (extradata = the publisher's avcC), libswscale into a
// bounding box (aspect kept, never upscaled, even dimensions), then libx264 through libavcodec
// with live settings: no B-frames, tune=zerolatency (no lookahead, no frame of encoder delay),
// a fixed GOP (scenecut off) and an on-demand IDR. Sans-I/O: frames in, frames out, no clock,
// no logging, no threads of its own (a later step runs it off the event loops).
//
// Timeline: the decoder reorders B-frames, so output frames come in presentation order with
// dts = pts = the source's pts (milliseconds, forced strictly increasing). Output access units
// are AVCC with 4-byte lengths, like ingest's; every output frame points at a VideoConfig built
// from the encoder's own SPS/PPS (a new one each time the encoder is re-created).
//
// Bad input never throws: malformed AVCC, a missing or non-H.264 config, a decoder error or a
// concealed (corrupt) picture is counted and the transcoder drops input until the next
// keyframe (except for an open GOP's leading pictures, which reference the GOP before the
// keyframe we started at: they are dropped and counted). A new sequence header with other bytes
// re-creates the decoder; a new decoded size re-creates the scaler, and the encoder too when the
// output size changes (its first frame is an IDR with the new config).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "media/frame.hpp"

namespace media {

enum class H264OutputProfile : uint8_t { ConstrainedBaseline, Main };

struct VideoTranscoderConfig {
  uint32_t max_width = 0;  // bounding box of the output; 0 = no bound on that side
  uint32_t max_height = 0;
  int32_t bitrate = 1'000'000;  // bit/s; also the VBV max rate, with a 1 s buffer
  double gop_seconds = 1.0;     // keyframe interval at the source's frame rate
  H264OutputProfile profile = H264OutputProfile::ConstrainedBaseline;
  std::string preset = "veryfast";  // a libx264 preset name
  int threads = 1;                  // libx264 sliced threads: no added delay
};

struct VideoTranscoderStatus {
  uint32_t input_width = 0;  // of the last decoded picture
  uint32_t input_height = 0;
  uint32_t output_width = 0;
  uint32_t output_height = 0;
  double fps = 0;                  // what the GOP and rate control assume (source SPS, else 30)
  uint64_t frames_in = 0;          // access units pushed
  uint64_t frames_out = 0;         // access units produced
  uint64_t keyframes_out = 0;      // IDR access units produced
  uint64_t keyframe_requests = 0;  // request_keyframe() calls
  uint64_t malformed = 0;          // dropped before decoding: bad AVCC lengths, empty, oversized,
                                   // not H.264, missing or unusable avcC
  uint64_t decode_errors = 0;      // decoder failures and concealed (corrupt) pictures
  uint64_t encode_errors = 0;      // encoder or scaler failures, unusable encoder headers
  uint64_t skipped = 0;            // access units dropped while waiting for a keyframe
  uint64_t config_changes = 0;     // decoder re-created for a sequence header with other bytes
  uint64_t size_changes = 0;       // decoded picture size changed mid-stream
  uint64_t encoder_opens = 0;      // encoders created (first one, new output sizes, after flush)
};

class VideoTranscoder {
 public:
  static constexpr size_t MaxAccessUnitSize = 8 * 1024 * 1024;
  static constexpr uint32_t MaxDimension = 8192;
  static constexpr double DefaultFps = 30;  // when the source SPS has no timing info

  // Throws std::invalid_argument for an out-of-range config, std::runtime_error when FFmpeg
  // has no native H.264 decoder or no libx264, std::bad_alloc when an allocation fails.
  explicit VideoTranscoder(VideoTranscoderConfig config = {});
  ~VideoTranscoder();
  VideoTranscoder(VideoTranscoder&&) noexcept;
  VideoTranscoder& operator=(VideoTranscoder&&) noexcept;
  VideoTranscoder(const VideoTranscoder&) = delete;
  VideoTranscoder& operator=(const VideoTranscoder&) = delete;

  // Transcodes one H.264 access unit (Frame::video set). Returns the frames it completed (zero
  // or more, presentation order); the span is valid until the next call, the frames are shared.
  std::span<const FramePtr> push(const Frame& h264) noexcept;
  // End of stream: the decoder's reordered tail. The next push must start with a keyframe.
  std::span<const FramePtr> flush() noexcept;
  // The next frame handed to the encoder becomes an IDR (a viewer joined or switched).
  void request_keyframe() noexcept;

  const VideoTranscoderStatus& status() const noexcept;

  // The output size for a source size and a bounding box (0 = unbounded): aspect kept, never
  // larger than the source, both sides even and at least 2.
  static std::pair<uint32_t, uint32_t> output_size(uint32_t source_width, uint32_t source_height,
                                                   uint32_t max_width,
                                                   uint32_t max_height) noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace media
