#pragma once
// H.264 in, H.264 or VP8 out: one rendition of one stream, encoded once and shared by every
// viewer of it. FFmpeg's native H.264 decoder (extradata = the publisher's avcC), libswscale
// into a bounding box (aspect kept, never upscaled, even dimensions), then through libavcodec
// either libx264 with live settings (no B-frames, tune=zerolatency: no lookahead, no frame of
// encoder delay; a fixed GOP, scenecut off; an on-demand IDR) or libvpx's VP8 for browsers
// without H.264 (real-time deadline, no lag, constant bit rate, a fixed GOP, an on-demand
// keyframe). Sans-I/O: frames in, frames out, no clock, no logging, no threads of its own (a
// later step runs it off the event loops).
//
// Timeline: the decoder reorders B-frames, so output frames come in presentation order with
// dts = pts = the source's pts (milliseconds, forced strictly increasing). H.264 access units
// are AVCC with 4-byte lengths, like ingest's; every output frame points at a VideoConfig built
// from the encoder's own SPS/PPS (a new one each time the encoder is re-created). A VP8 frame is
// libvpx's compressed frame as is; its VideoConfig (codec VP8) carries size and frame rate only.
//
// Bad input never throws: malformed AVCC, a missing or non-H.264 config, a decoder error or a
// concealed (corrupt) picture is counted and the transcoder drops input until the next
// keyframe (except for an open GOP's leading pictures, which reference the GOP before the
// keyframe we started at: they are dropped and counted). A new sequence header with other bytes
// re-creates the decoder; a new decoded size re-creates the scaler, and the encoder too when the
// output size changes (its first frame is a keyframe with the new config).
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
  // H.264: the VBV max rate too, with a 1 s buffer. VP8: constant bit rate, 1 s buffer.
  int32_t bitrate = 1'000'000;       // bit/s
  double gop_seconds = 1.0;          // keyframe interval at the source's frame rate
  Codec output_codec = Codec::H264;  // H264 or VP8
  H264OutputProfile profile = H264OutputProfile::ConstrainedBaseline;  // H.264 only
  std::string preset = "veryfast";  // a libx264 preset name (checked for VP8 too)
  int threads = 1;                  // encoder threads (libx264 sliced: no added delay)
  // libvpx's fixed real-time speed, 4..16 (higher: faster, blurrier). At 8 a 720p30 rendition
  // (detailed scrolling content) took 22-26 % of one core here, H.264 decoding included.
  int vp8_speed = 8;
};

struct VideoTranscoderStatus {
  uint32_t input_width = 0;  // of the last decoded picture
  uint32_t input_height = 0;
  uint32_t output_width = 0;
  uint32_t output_height = 0;
  double fps = 0;                  // what the GOP and rate control assume (source SPS, else 30)
  uint64_t frames_in = 0;          // access units pushed
  uint64_t frames_out = 0;         // access units produced
  uint64_t keyframes_out = 0;      // keyframes produced (H.264: IDR access units)
  uint64_t keyframe_requests = 0;  // request_keyframe() calls
  uint64_t malformed = 0;          // dropped before decoding: bad AVCC lengths, empty, oversized,
                                   // not H.264, missing or unusable avcC
  uint64_t decode_errors = 0;      // decoder failures and concealed (corrupt) pictures
  uint64_t encode_errors = 0;      // encoder or scaler failures, unusable encoder headers
  uint64_t skipped = 0;            // access units dropped while waiting for a keyframe
  uint64_t decoded_only = 0;       // pictures decoded and not encoded (push with encode = false)
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
  // has no native H.264 decoder or not the output's encoder (libx264, libvpx),
  // std::bad_alloc when an allocation fails.
  explicit VideoTranscoder(VideoTranscoderConfig config = {});
  ~VideoTranscoder();
  VideoTranscoder(VideoTranscoder&&) noexcept;
  VideoTranscoder& operator=(VideoTranscoder&&) noexcept;
  VideoTranscoder(const VideoTranscoder&) = delete;
  VideoTranscoder& operator=(const VideoTranscoder&) = delete;

  // Transcodes one H.264 access unit (Frame::video set). Returns the frames it completed (zero
  // or more, presentation order); the span is valid until the next call, the frames are shared.
  // encode = false decodes only (the reference chain stays whole) and encodes nothing: how a
  // rendition catches up with a GOP replay or a backlog, spending no encoder time on pictures
  // nobody will see in time. The next encoded picture follows on as usual.
  std::span<const FramePtr> push(const Frame& h264, bool encode = true) noexcept;
  // End of stream: the decoder's reordered tail. The next push must start with a keyframe.
  std::span<const FramePtr> flush() noexcept;
  // The next frame handed to the encoder becomes a keyframe, for H.264 an IDR (a viewer joined
  // or switched).
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
