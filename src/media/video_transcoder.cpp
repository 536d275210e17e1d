#include "media/video_transcoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/rational.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <vector>

#include "media/avc_config.hpp"
#include "media/detail/libav_handles.hpp"
#include "media/detail/live_encoder_options.hpp"

namespace media {
namespace {

constexpr int32_t MinBitrate = 10'000;
constexpr int32_t MaxBitrate = 100'000'000;
constexpr double MinFps = 1;
constexpr double MaxFps = 240;
constexpr size_t ArrivalSlots = 64;  // more than any decoder's reorder depth
constexpr uint8_t NalIdr = 5;
constexpr uint8_t NalSps = 7;
constexpr uint8_t NalPps = 8;
constexpr uint8_t NalAud = 9;

using detail::CodecContextFree;
using detail::FrameFree;
using detail::PacketFree;
using detail::quiet_ffmpeg;
struct SwsFree {
  void operator()(SwsContext* s) const noexcept { sws_freeContext(s); }
};
using ContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;

// AVCC with 4-byte lengths (ingest normalizes to that): every length non-zero and inside the
// access unit, the last one ending exactly at its end.
bool valid_avcc(std::span<const uint8_t> au) noexcept {
  if (au.empty()) return false;
  size_t pos = 0;
  while (pos < au.size()) {
    if (au.size() - pos < 4) return false;
    const size_t len = (size_t{au[pos]} << 24) | (size_t{au[pos + 1]} << 16) |
                       (size_t{au[pos + 2]} << 8) | au[pos + 3];
    pos += 4;
    if (len == 0 || len > au.size() - pos || (au[pos] & 0x80) != 0) return false;
    pos += len;
  }
  return true;
}

// Calls fn(nal) for each NAL unit between Annex-B start codes (libx264's output). Trailing
// zero bytes belong to the next 4-byte start code, never to a NAL unit (7.4.1: a NAL unit
// ends with rbsp_stop_one_bit or cabac_zero_word 0x0000 03).
template <typename Fn>
void for_each_annexb_nal(std::span<const uint8_t> in, Fn&& fn) {
  size_t i = 0;
  size_t start = std::numeric_limits<size_t>::max();
  auto emit = [&](size_t end) {
    if (start == std::numeric_limits<size_t>::max()) return;
    while (end > start && in[end - 1] == 0)
      --end;
    if (end > start) fn(in.subspan(start, end - start));
  };
  while (i + 3 <= in.size()) {
    if (in[i] == 0 && in[i + 1] == 0 && in[i + 2] == 1) {
      emit(i);
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  emit(in.size());
}

void append_avcc(std::vector<uint8_t>& out, std::span<const uint8_t> nal) {
  const auto n = static_cast<uint32_t>(nal.size());
  const uint8_t len[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                          static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  out.insert(out.end(), len, len + 4);
  out.insert(out.end(), nal.begin(), nal.end());
}

// The encoder's global header (Annex-B SPS and PPS) as the config the rest of the server uses:
// avcC record, profile, level and size read back through the SPS parser.
std::shared_ptr<const VideoConfig> config_from_headers(std::span<const uint8_t> headers,
                                                       double fps) {
  VideoConfig raw;
  for_each_annexb_nal(headers, [&](std::span<const uint8_t> nal) {
    const uint8_t type = nal[0] & 0x1f;
    if (type == NalSps) raw.sps.emplace_back(nal.begin(), nal.end());
    if (type == NalPps) raw.pps.emplace_back(nal.begin(), nal.end());
  });
  if (raw.sps.empty() || raw.pps.empty()) return nullptr;
  const std::vector<uint8_t> record = make_avc_record(raw);
  const auto parsed = AvcConfig::parse(record);
  if (!parsed) return nullptr;
  VideoConfig v = parsed->to_video_config(record);
  // libx264 writes its millisecond timebase as VUI timing; the source's rate is the truth.
  v.fps = fps;
  return std::make_shared<const VideoConfig>(std::move(v));
}

// libx264's Annex-B access unit as AVCC, without the parameter sets (they are in the config).
bool fill_h264(Frame& f, const AVPacket& pkt) {
  f.data.reserve(static_cast<size_t>(pkt.size) + 16);
  bool idr = false;
  for_each_annexb_nal({pkt.data, static_cast<size_t>(pkt.size)}, [&](std::span<const uint8_t> nal) {
    const uint8_t type = nal[0] & 0x1f;
    if (type == NalSps || type == NalPps || type == NalAud) return;
    idr = idr || type == NalIdr;
    append_avcc(f.data, nal);
  });
  f.keyframe = idr;
  return !f.data.empty();
}

// libvpx's frame as is. RFC 6386 section 9.1: the 3-byte frame tag's lowest bit is 0 on a key
// frame, which also carries a 7-byte start code and size; show_frame (bit 4) must be set, as
// every frame of a stream without alt-ref is shown.
bool fill_vp8(Frame& f, const AVPacket& pkt) {
  const std::span<const uint8_t> in(pkt.data, static_cast<size_t>(pkt.size));
  if (in.size() < 3 || (in[0] & 0x10) == 0) return false;
  f.keyframe = (in[0] & 0x01) == 0;
  if (f.keyframe && in.size() < 10) return false;
  f.data.assign(in.begin(), in.end());
  return true;
}

std::shared_ptr<const VideoConfig> vp8_config(uint32_t width, uint32_t height, double fps) {
  VideoConfig v;
  v.codec = Codec::VP8;
  v.width = width;
  v.height = height;
  v.fps = fps;
  return std::make_shared<const VideoConfig>(std::move(v));
}

// Nearest even size (as ffmpeg's scale=-2), never above `limit` (the source or the box).
uint32_t fit_even(double v, uint32_t limit) noexcept {
  const auto n = static_cast<uint32_t>(2 * std::lround(v / 2));
  return std::max<uint32_t>(std::min(n, limit & ~1u), 2);
}

// Input pts -> arrival time, so an output frame reports when its source frame arrived.
class ArrivalRing {
 public:
  void put(int64_t pts, int64_t ns) noexcept {
    slots_[next_] = {pts, ns};
    next_ = (next_ + 1) % ArrivalSlots;
  }
  int64_t find(int64_t pts) const noexcept {
    for (size_t k = 1; k <= ArrivalSlots; ++k) {
      const Slot& s = slots_[(next_ + ArrivalSlots - k) % ArrivalSlots];
      if (s.pts == pts) return s.ns;
    }
    return 0;
  }

 private:
  struct Slot {
    int64_t pts = std::numeric_limits<int64_t>::min();
    int64_t ns = 0;
  };
  std::array<Slot, ArrivalSlots> slots_{};
  size_t next_ = 0;
};

}  // namespace

struct VideoTranscoder::Impl {
  explicit Impl(VideoTranscoderConfig c);

  bool accept(const Frame& f) const noexcept;
  bool ensure_decoder(const std::shared_ptr<const VideoConfig>& config) noexcept;
  bool open_decoder(const VideoConfig& config) noexcept;
  void decode(const Frame& f) noexcept;
  void receive_decoded() noexcept;
  void drain_decoder() noexcept;
  void decode_failed(int64_t pts) noexcept;
  bool on_decoded(AVFrame& fr) noexcept;
  bool adapt_pipeline(const AVFrame& fr) noexcept;
  bool open_encoder(uint32_t w, uint32_t h) noexcept;
  bool open_scaler(const AVFrame& fr) noexcept;
  void encode(AVFrame* fr) noexcept;
  void drain_encoder() noexcept;
  void emit(const AVPacket& pkt) noexcept;

  VideoTranscoderConfig config;
  VideoTranscoderStatus status;
  const AVCodec* decoder_codec = nullptr;
  const AVCodec* encoder_codec = nullptr;
  ContextPtr decoder;
  ContextPtr encoder;
  std::shared_ptr<const VideoConfig> in_config;   // what the decoder was opened with
  std::shared_ptr<const VideoConfig> out_config;  // the encoder's SPS/PPS
  std::unique_ptr<SwsContext, SwsFree> sws;
  std::unique_ptr<AVPacket, PacketFree> packet;
  std::unique_ptr<AVFrame, FrameFree> decoded;
  std::unique_ptr<AVFrame, FrameFree> scaled;
  std::vector<uint8_t> au;  // access unit + FFmpeg's zeroed input padding
  int in_w = 0;             // the pipeline's current input picture
  int in_h = 0;
  int in_format = -1;
  bool need_keyframe = true;
  bool force_idr = false;
  bool encode_pictures = true;                               // false: push(..., encode = false)
  int64_t resync_pts = std::numeric_limits<int64_t>::min();  // of the keyframe we started at
  int64_t last_pts = std::numeric_limits<int64_t>::min();
  ArrivalRing input_arrivals;
  ArrivalRing output_arrivals;
  std::vector<FramePtr> out;
};

VideoTranscoder::Impl::Impl(VideoTranscoderConfig c) : config(std::move(c)) {
  if (config.bitrate < MinBitrate || config.bitrate > MaxBitrate) {
    throw std::invalid_argument("VideoTranscoder: bitrate outside 10 kbit/s..100 Mbit/s");
  }
  if (!(config.gop_seconds >= 0.1 && config.gop_seconds <= 60) || config.threads < 1 ||
      config.threads > 16 || config.max_width > MaxDimension || config.max_height > MaxDimension ||
      !detail::known_x264_preset(config.preset) ||
      (config.output_codec != Codec::H264 && config.output_codec != Codec::VP8) ||
      config.vp8_speed < 4 || config.vp8_speed > 16) {
    throw std::invalid_argument(
        "VideoTranscoder: gop, threads, size, preset, codec or VP8 speed out of range");
  }
  quiet_ffmpeg();
  decoder_codec = avcodec_find_decoder_by_name("h264");
  if (decoder_codec == nullptr) throw std::runtime_error("FFmpeg has no native H.264 decoder");
  const bool vp8 = config.output_codec == Codec::VP8;
  encoder_codec = avcodec_find_encoder_by_name(vp8 ? "libvpx" : "libx264");
  if (encoder_codec == nullptr) {
    throw std::runtime_error(vp8 ? "FFmpeg was built without libvpx"
                                 : "FFmpeg was built without libx264");
  }
  packet.reset(av_packet_alloc());
  decoded.reset(av_frame_alloc());
  scaled.reset(av_frame_alloc());
  if (!packet || !decoded || !scaled) throw std::bad_alloc();
  out.reserve(8);
}

bool VideoTranscoder::Impl::accept(const Frame& f) const noexcept {
  return f.kind == TrackKind::Video && f.codec == Codec::H264 && f.video != nullptr &&
         f.video->codec == Codec::H264 && f.data.size() <= MaxAccessUnitSize && valid_avcc(f.data);
}

bool VideoTranscoder::Impl::ensure_decoder(
    const std::shared_ptr<const VideoConfig>& config) noexcept {
  if (config == in_config) return decoder != nullptr;
  // A repeated sequence header (reconnect, periodic resend) keeps the decoder and its state.
  if (decoder && in_config && config->record == in_config->record) {
    in_config = config;
    return true;
  }
  if (in_config) {
    ++status.config_changes;
    drain_decoder();  // the old stream's reordered tail is still worth showing
  }
  in_config = config;
  need_keyframe = true;
  return open_decoder(*config);
}

bool VideoTranscoder::Impl::open_decoder(const VideoConfig& config) noexcept {
  decoder.reset();
  std::vector<uint8_t> record;
  try {
    record = make_avc_record(config);  // lengthSizeMinusOne = 3, as ingest normalized
  } catch (const std::bad_alloc&) {
    return false;
  }
  if (record.empty() || record.size() > 64 * 1024) return false;
  ContextPtr ctx(avcodec_alloc_context3(decoder_codec));
  if (!ctx) return false;
  ctx->extradata = static_cast<uint8_t*>(av_mallocz(record.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (ctx->extradata == nullptr) return false;
  std::memcpy(ctx->extradata, record.data(), record.size());
  ctx->extradata_size = static_cast<int>(record.size());
  ctx->thread_count = 1;  // frame threads would add a frame of delay each
  ctx->pkt_timebase = AVRational{1, 1000};
  // A damaged slice fails the access unit instead of being concealed: we skip to a keyframe
  // rather than encode (and send every viewer) smeared pictures.
  ctx->err_recognition |= AV_EF_EXPLODE;
  if (avcodec_open2(ctx.get(), decoder_codec, nullptr) < 0) return false;
  decoder = std::move(ctx);
  return true;
}

void VideoTranscoder::Impl::decode(const Frame& f) noexcept {
  const size_t n = f.data.size();
  try {
    au.resize(n + AV_INPUT_BUFFER_PADDING_SIZE);
  } catch (const std::bad_alloc&) {
    decode_failed(f.pts_ms());
    return;
  }
  std::memcpy(au.data(), f.data.data(), n);
  std::memset(au.data() + n, 0, AV_INPUT_BUFFER_PADDING_SIZE);
  input_arrivals.put(f.pts_ms(), f.arrival_ns);
  packet->data = au.data();
  packet->size = static_cast<int>(n);
  packet->pts = f.pts_ms();
  packet->dts = f.dts_ms;
  packet->flags = f.keyframe ? AV_PKT_FLAG_KEY : 0;
  const int rc = avcodec_send_packet(decoder.get(), packet.get());
  packet->data = nullptr;
  packet->size = 0;
  if (rc < 0) {
    decode_failed(f.pts_ms());
    return;
  }
  receive_decoded();
}

void VideoTranscoder::Impl::receive_decoded() noexcept {
  int rc = 0;
  bool failed = false;
  int64_t failed_pts = resync_pts;
  while ((rc = avcodec_receive_frame(decoder.get(), decoded.get())) == 0) {
    if (failed) {
      // keep draining so no stale picture is left behind
    } else if (decoded->decode_error_flags != 0 || (decoded->flags & AV_FRAME_FLAG_CORRUPT)) {
      failed = true;
      failed_pts = decoded->pts;
    } else if (!on_decoded(*decoded)) {
      ++status.encode_errors;
    }
    av_frame_unref(decoded.get());
  }
  if (failed || (rc != AVERROR(EAGAIN) && rc != AVERROR_EOF)) decode_failed(failed_pts);
}

void VideoTranscoder::Impl::drain_decoder() noexcept {
  if (!decoder) return;
  if (avcodec_send_packet(decoder.get(), nullptr) == 0) receive_decoded();
  avcodec_flush_buffers(decoder.get());  // usable again after end of stream
}

void VideoTranscoder::Impl::decode_failed(int64_t pts) noexcept {
  ++status.decode_errors;
  // An open GOP's leading pictures (shown before the keyframe we started at) reference the GOP
  // we skipped: losing them is expected, and a resync would lose every GOP the same way.
  if (pts != AV_NOPTS_VALUE && pts < resync_pts) return;
  need_keyframe = true;
  if (decoder) avcodec_flush_buffers(decoder.get());
}

bool VideoTranscoder::Impl::on_decoded(AVFrame& fr) noexcept {
  if (fr.width < 2 || fr.height < 2 || fr.width > static_cast<int>(MaxDimension) ||
      fr.height > static_cast<int>(MaxDimension)) {
    return false;
  }
  if (!adapt_pipeline(fr)) return false;
  if (!encode_pictures) {
    ++status.decoded_only;
    return true;
  }
  int64_t pts = fr.pts != AV_NOPTS_VALUE ? fr.pts : fr.best_effort_timestamp;
  const int64_t arrival = input_arrivals.find(pts);
  // Encoders need strictly increasing pts; a publisher's glitch must not stall the rendition.
  if (pts == AV_NOPTS_VALUE ||
      (last_pts != std::numeric_limits<int64_t>::min() && pts <= last_pts)) {
    pts = last_pts == std::numeric_limits<int64_t>::min() ? 0 : last_pts + 1;
  }
  last_pts = pts;
  output_arrivals.put(pts, arrival);
  AVFrame* input = &fr;
  if (sws) {
    if (av_frame_make_writable(scaled.get()) < 0 ||
        sws_scale(sws.get(), fr.data, fr.linesize, 0, fr.height, scaled->data, scaled->linesize) <
            0) {
      return false;
    }
    input = scaled.get();
  }
  input->pts = pts;
  // The decoder's picture type (I/P/B of the source) would otherwise steer the encoder's
  // choice. libvpx turns I into VPX_EFLAG_FORCE_KF.
  input->pict_type = force_idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  force_idr = false;
  encode(input);
  return true;
}

// Called for every decoded picture: cheap when nothing changed.
bool VideoTranscoder::Impl::adapt_pipeline(const AVFrame& fr) noexcept {
  if (fr.width == in_w && fr.height == in_h && fr.format == in_format && encoder) return true;
  if (in_w != 0 && (fr.width != in_w || fr.height != in_h)) ++status.size_changes;
  status.input_width = static_cast<uint32_t>(fr.width);
  status.input_height = static_cast<uint32_t>(fr.height);
  const auto [w, h] = output_size(static_cast<uint32_t>(fr.width), static_cast<uint32_t>(fr.height),
                                  config.max_width, config.max_height);
  if (!encoder || static_cast<int>(w) != encoder->width || static_cast<int>(h) != encoder->height) {
    drain_encoder();
    if (!open_encoder(w, h)) return false;
  }
  in_w = 0;
  if (!open_scaler(fr)) return false;
  in_w = fr.width;
  in_h = fr.height;
  in_format = fr.format;
  return true;
}

bool VideoTranscoder::Impl::open_scaler(const AVFrame& fr) noexcept {
  sws.reset();
  if (fr.width == encoder->width && fr.height == encoder->height &&
      fr.format == AV_PIX_FMT_YUV420P) {
    return true;  // the decoded picture goes to the encoder as it is
  }
  sws.reset(sws_getContext(fr.width, fr.height, static_cast<AVPixelFormat>(fr.format),
                           encoder->width, encoder->height, AV_PIX_FMT_YUV420P, SWS_BICUBIC,
                           nullptr, nullptr, nullptr));
  if (!sws) return false;
  av_frame_unref(scaled.get());
  scaled->format = AV_PIX_FMT_YUV420P;
  scaled->width = encoder->width;
  scaled->height = encoder->height;
  return av_frame_get_buffer(scaled.get(), 0) >= 0;
}

bool VideoTranscoder::Impl::open_encoder(uint32_t w, uint32_t h) noexcept {
  encoder.reset();
  out_config.reset();
  ContextPtr ctx(avcodec_alloc_context3(encoder_codec));
  if (!ctx) return false;
  const double fps = in_config && in_config->fps >= MinFps && in_config->fps <= MaxFps
                         ? in_config->fps
                         : VideoTranscoder::DefaultFps;
  ctx->width = static_cast<int>(w);
  ctx->height = static_cast<int>(h);
  ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  ctx->time_base = AVRational{1, 1000};
  ctx->framerate = av_d2q(fps, 1001000);
  if (!detail::open_live_encoder(*ctx, *encoder_codec, config, fps)) return false;
  ++status.encoder_opens;
  if (config.output_codec == Codec::VP8) {
    out_config = vp8_config(w, h, fps);
  } else {
    out_config =
        config_from_headers({ctx->extradata, static_cast<size_t>(ctx->extradata_size)}, fps);
  }
  if (!out_config) return false;
  encoder = std::move(ctx);
  status.output_width = w;
  status.output_height = h;
  status.fps = fps;
  return true;
}

void VideoTranscoder::Impl::encode(AVFrame* fr) noexcept {
  if (avcodec_send_frame(encoder.get(), fr) < 0) {
    ++status.encode_errors;
    return;
  }
  int rc = 0;
  while ((rc = avcodec_receive_packet(encoder.get(), packet.get())) == 0) {
    emit(*packet);
    av_packet_unref(packet.get());
  }
  if (rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) ++status.encode_errors;
}

void VideoTranscoder::Impl::drain_encoder() noexcept {
  if (!encoder) return;
  encode(nullptr);  // zerolatency and lag-in-frames=0 keep nothing back; for completeness
  encoder.reset();
  in_w = 0;
}

void VideoTranscoder::Impl::emit(const AVPacket& pkt) noexcept {
  try {
    auto f = std::make_shared<Frame>();
    f->kind = TrackKind::Video;
    f->codec = config.output_codec;
    f->dts_ms = pkt.pts;
    f->cts_ms = 0;
    f->arrival_ns = output_arrivals.find(pkt.pts);
    f->video = out_config;
    const bool ok = f->codec == Codec::VP8 ? fill_vp8(*f, pkt) : fill_h264(*f, pkt);
    if (!ok) {
      ++status.encode_errors;
      return;
    }
    out.push_back(std::move(f));
  } catch (const std::bad_alloc&) {
    ++status.encode_errors;
    return;
  }
  ++status.frames_out;
  if (out.back()->keyframe) ++status.keyframes_out;
}

VideoTranscoder::VideoTranscoder(VideoTranscoderConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
VideoTranscoder::~VideoTranscoder() = default;
VideoTranscoder::VideoTranscoder(VideoTranscoder&&) noexcept = default;
VideoTranscoder& VideoTranscoder::operator=(VideoTranscoder&&) noexcept = default;

std::span<const FramePtr> VideoTranscoder::push(const Frame& h264, bool encode) noexcept {
  Impl& m = *impl_;
  m.out.clear();
  m.encode_pictures = encode;
  ++m.status.frames_in;
  if (!m.accept(h264)) {
    ++m.status.malformed;
    m.need_keyframe = true;  // what follows may reference the lost picture
    return m.out;
  }
  if (!m.ensure_decoder(h264.video)) {
    ++m.status.malformed;
    m.need_keyframe = true;
    return m.out;
  }
  if (m.need_keyframe && !h264.keyframe) {
    ++m.status.skipped;
    return m.out;
  }
  if (m.need_keyframe) m.resync_pts = h264.pts_ms();
  m.need_keyframe = false;
  m.decode(h264);
  return m.out;
}

std::span<const FramePtr> VideoTranscoder::flush() noexcept {
  Impl& m = *impl_;
  m.out.clear();
  m.drain_decoder();
  m.drain_encoder();
  m.need_keyframe = true;
  return m.out;
}

void VideoTranscoder::request_keyframe() noexcept {
  ++impl_->status.keyframe_requests;
  impl_->force_idr = true;
}

const VideoTranscoderStatus& VideoTranscoder::status() const noexcept {
  return impl_->status;
}

std::pair<uint32_t, uint32_t> VideoTranscoder::output_size(uint32_t source_width,
                                                           uint32_t source_height,
                                                           uint32_t max_width,
                                                           uint32_t max_height) noexcept {
  if (source_width == 0 || source_height == 0) return {0, 0};
  double scale = 1;
  uint32_t limit_w = source_width;
  uint32_t limit_h = source_height;
  if (max_width != 0) {
    scale = std::min(scale, static_cast<double>(max_width) / source_width);
    limit_w = std::min(limit_w, max_width);
  }
  if (max_height != 0) {
    scale = std::min(scale, static_cast<double>(max_height) / source_height);
    limit_h = std::min(limit_h, max_height);
  }
  return {fit_even(source_width * scale, limit_w), fit_even(source_height * scale, limit_h)};
}

}  // namespace media
