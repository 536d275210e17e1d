#include "media/aac_opus_transcoder.hpp"

#include <opus.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <vector>

#include "media/detail/libav_handles.hpp"

namespace media {
namespace {

constexpr int OutRate = static_cast<int>(AacOpusTranscoder::OutputRate);
constexpr size_t PacketFrames = AacOpusTranscoder::FrameSamples;
constexpr size_t InitialFifoFrames = 8192;
constexpr size_t MaxFifoFrames = 48000;  // 1 s: more from one access unit is not AAC
constexpr int MaxDecodedSamples = 8192;  // AAC: 1024 (2048 with SBR); 960-sample frames exist
constexpr int MinRate = 7350;            // ISO/IEC 14496-3 1.6.3.4, lowest table entry
constexpr int MaxRate = 96000;
constexpr int MaxDecodedChannels = 8;
constexpr size_t MaxOpusPacket = 1275;  // RFC 6716 3.2.1: longest single-frame payload
constexpr size_t InitialPackets = 16;

using detail::CodecContextFree;
using detail::FrameFree;
using detail::PacketFree;
using detail::quiet_ffmpeg;
struct SwrFree {
  void operator()(SwrContext* s) const noexcept { swr_free(&s); }
};
struct MemFree {
  void operator()(void* p) const noexcept { std::free(p); }
};

}  // namespace

struct AacOpusTranscoder::Impl {
  explicit Impl(const TranscoderConfig& c);
  ~Impl() { av_channel_layout_uninit(&swr_in_layout); }

  bool accept(const Frame& f) const noexcept;
  bool ensure_decoder(const std::shared_ptr<const AudioConfig>& config) noexcept;
  bool open_decoder(const std::vector<uint8_t>& asc) noexcept;
  bool decode(const Frame& f) noexcept;
  bool on_decoded(const AVFrame& fr, double pts_ms) noexcept;
  bool adapt_pipeline(const AVFrame& fr) noexcept;
  bool init_encoder(uint8_t channels) noexcept;
  bool init_resampler(const AVFrame& fr) noexcept;
  void follow_timeline(double pts_ms, double duration_ms) noexcept;
  bool reserve_fifo(size_t frames) noexcept;
  void drain_resampler() noexcept;
  bool resample(const AVFrame& fr) noexcept;
  void encode_ready() noexcept;
  void pad_and_encode() noexcept;
  void encode_one(const float* pcm) noexcept;
  std::span<const OpusPacketView> finish_batch() noexcept;

  TranscoderConfig config;
  TranscoderStatus status;
  const AVCodec* codec = nullptr;
  std::unique_ptr<AVCodecContext, CodecContextFree> decoder;
  std::shared_ptr<const AudioConfig> audio_config;  // what the decoder was opened with
  std::unique_ptr<AVPacket, PacketFree> packet;
  std::unique_ptr<AVFrame, FrameFree> frame;
  std::vector<uint8_t> au;  // access unit + FFmpeg's zeroed input padding

  std::unique_ptr<SwrContext, SwrFree> swr;
  int swr_in_rate = 0;
  int swr_in_format = -1;
  AVChannelLayout swr_in_layout{};

  std::unique_ptr<void, MemFree> encoder_memory;  // sized for stereo, re-initialized in place
  ::OpusEncoder* encoder = nullptr;
  uint8_t out_channels = 0;

  std::vector<float> fifo;  // interleaved 48 kHz, out_channels per frame; room for 2
  size_t fifo_frames = 0;
  int64_t fifo_pts = 0;  // pts_48k of fifo[0]
  bool started = false;
  double next_in_ms = 0;  // where the previous access unit ended, in publisher milliseconds
  int64_t arrival_ns = 0;

  struct Meta {
    size_t offset;
    size_t size;
    int64_t pts;
    uint8_t channels;
  };
  std::vector<uint8_t> arena;  // this call's packet bytes
  std::vector<Meta> metas;
  std::vector<OpusPacketView> views;
};

AacOpusTranscoder::Impl::Impl(const TranscoderConfig& c) : config(c) {
  if (c.bitrate != 0 && (c.bitrate < 6000 || c.bitrate > 510000)) {
    throw std::invalid_argument("AacOpusTranscoder: bitrate outside 6000..510000");
  }
  if (c.complexity < 0 || c.complexity > 10 || c.packet_loss_perc < 0 || c.packet_loss_perc > 100) {
    throw std::invalid_argument("AacOpusTranscoder: complexity or packet loss out of range");
  }
  quiet_ffmpeg();
  codec = avcodec_find_decoder_by_name("aac");  // the float decoder, not aac_fixed
  if (codec == nullptr) throw std::runtime_error("FFmpeg has no native AAC decoder");
  packet.reset(av_packet_alloc());
  frame.reset(av_frame_alloc());
  encoder_memory.reset(std::malloc(static_cast<size_t>(opus_encoder_get_size(2))));
  if (!packet || !frame || !encoder_memory) throw std::bad_alloc();
  au.assign(MaxAccessUnitSize + AV_INPUT_BUFFER_PADDING_SIZE, 0);
  fifo.assign(InitialFifoFrames * 2, 0.0F);
  arena.reserve(InitialPackets * MaxOpusPacket);
  metas.reserve(InitialPackets);
  views.reserve(InitialPackets);
}

bool AacOpusTranscoder::Impl::accept(const Frame& f) const noexcept {
  // An empty packet would be a flush request to FFmpeg, not an access unit.
  return f.kind == TrackKind::Audio && f.codec == Codec::AAC && f.audio != nullptr &&
         f.audio->codec == Codec::AAC && !f.data.empty() && f.data.size() <= MaxAccessUnitSize;
}

bool AacOpusTranscoder::Impl::ensure_decoder(
    const std::shared_ptr<const AudioConfig>& config) noexcept {
  if (config == audio_config) return decoder != nullptr;
  // Publishers resend the same sequence header (reconnects, repeated headers): same bytes,
  // same decoder.
  if (decoder && audio_config && config->record == audio_config->record) {
    audio_config = config;
    return true;
  }
  if (audio_config) ++status.resets;
  audio_config = config;
  status.input_codec = config->codec;
  status.input_object_type = config->object_type;
  return open_decoder(config->record);
}

bool AacOpusTranscoder::Impl::open_decoder(const std::vector<uint8_t>& asc) noexcept {
  decoder.reset();
  if (asc.empty() || asc.size() > MaxConfigSize) return false;
  std::unique_ptr<AVCodecContext, CodecContextFree> ctx(avcodec_alloc_context3(codec));
  if (!ctx) return false;
  ctx->extradata = static_cast<uint8_t*>(av_mallocz(asc.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (ctx->extradata == nullptr) return false;
  std::memcpy(ctx->extradata, asc.data(), asc.size());
  ctx->extradata_size = static_cast<int>(asc.size());
  ctx->thread_count = 1;  // one stream is far below a core; no FFmpeg threads per stream
  if (avcodec_open2(ctx.get(), codec, nullptr) < 0) return false;
  decoder = std::move(ctx);
  return true;
}

bool AacOpusTranscoder::Impl::decode(const Frame& f) noexcept {
  const size_t n = f.data.size();
  std::memcpy(au.data(), f.data.data(), n);
  std::memset(au.data() + n, 0, AV_INPUT_BUFFER_PADDING_SIZE);
  packet->data = au.data();
  packet->size = static_cast<int>(n);
  // Not reference counted: FFmpeg copies it; that one copy is all the per-frame churn.
  int rc = avcodec_send_packet(decoder.get(), packet.get());
  packet->data = nullptr;
  packet->size = 0;
  if (rc < 0) return false;
  bool ok = true;
  bool any = false;
  double pts = static_cast<double>(f.pts_ms());
  while ((rc = avcodec_receive_frame(decoder.get(), frame.get())) == 0) {
    const AVFrame& fr = *frame;
    if (ok && on_decoded(fr, pts)) {
      any = true;
      pts += fr.nb_samples * 1000.0 / fr.sample_rate;  // rate validated by on_decoded
    } else {
      ok = false;  // keep draining so no stale frame is left in the decoder
    }
    av_frame_unref(frame.get());
  }
  return ok && any && (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF);
}

bool AacOpusTranscoder::Impl::on_decoded(const AVFrame& fr, double pts_ms) noexcept {
  const int channels = fr.ch_layout.nb_channels;
  if (fr.nb_samples <= 0 || fr.nb_samples > MaxDecodedSamples || fr.sample_rate < MinRate ||
      fr.sample_rate > MaxRate || channels <= 0 || channels > MaxDecodedChannels ||
      fr.extended_data == nullptr) {
    return false;
  }
  if (!adapt_pipeline(fr)) return false;
  status.input_sample_rate = static_cast<uint32_t>(fr.sample_rate);
  status.input_channels = static_cast<uint8_t>(channels);
  follow_timeline(pts_ms, fr.nb_samples * 1000.0 / fr.sample_rate);
  if (!resample(fr)) return false;
  encode_ready();
  return true;
}

// Called for every decoded frame: cheap when nothing changed.
bool AacOpusTranscoder::Impl::adapt_pipeline(const AVFrame& fr) noexcept {
  const uint8_t want = fr.ch_layout.nb_channels == 1 ? 1 : 2;
  const bool same_input = swr && fr.sample_rate == swr_in_rate && fr.format == swr_in_format &&
                          av_channel_layout_compare(&fr.ch_layout, &swr_in_layout) == 0;
  if (same_input && want == out_channels) return true;
  if (swr) drain_resampler();  // the old input's tail, in the old output layout
  if (want != out_channels) {
    if (out_channels != 0) pad_and_encode();  // with the old encoder
    if (!init_encoder(want)) return false;
  }
  return init_resampler(fr);
}

bool AacOpusTranscoder::Impl::init_encoder(uint8_t channels) noexcept {
  auto* enc = static_cast<::OpusEncoder*>(encoder_memory.get());
  encoder = nullptr;
  out_channels = 0;
  if (opus_encoder_init(enc, OutRate, channels, OPUS_APPLICATION_AUDIO) != OPUS_OK) return false;
  const int32_t bitrate = config.bitrate != 0 ? config.bitrate : 48000 * channels;
  if (opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate)) != OPUS_OK ||
      opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(config.complexity)) != OPUS_OK ||
      opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(config.inband_fec ? 1 : 0)) != OPUS_OK ||
      opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(config.packet_loss_perc)) != OPUS_OK) {
    return false;
  }
  encoder = enc;
  out_channels = channels;
  status.output_bitrate = bitrate;
  status.output_channels = channels;
  return true;
}

bool AacOpusTranscoder::Impl::init_resampler(const AVFrame& fr) noexcept {
  swr_in_rate = 0;
  AVChannelLayout in{};
  // A PCE-described layout can come without channel order; mix it as the default layout.
  if (fr.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    av_channel_layout_default(&in, fr.ch_layout.nb_channels);
  } else if (av_channel_layout_copy(&in, &fr.ch_layout) < 0) {
    return false;
  }
  AVChannelLayout out{};
  av_channel_layout_default(&out, out_channels);
  SwrContext* s = swr.release();
  int rc = swr_alloc_set_opts2(&s, &out, AV_SAMPLE_FMT_FLT, OutRate, &in,
                               static_cast<AVSampleFormat>(fr.format), fr.sample_rate, 0, nullptr);
  swr.reset(s);
  av_channel_layout_uninit(&in);
  av_channel_layout_uninit(&out);
  // Normalize the downmix matrix: 5.1 summed into stereo would otherwise exceed full scale.
  if (rc < 0 || !swr || av_opt_set_double(swr.get(), "rematrix_maxval", 1.0, 0) < 0 ||
      swr_init(swr.get()) < 0) {
    return false;
  }
  av_channel_layout_uninit(&swr_in_layout);
  if (av_channel_layout_copy(&swr_in_layout, &fr.ch_layout) < 0) return false;
  swr_in_rate = fr.sample_rate;
  swr_in_format = fr.format;
  return true;
}

void AacOpusTranscoder::Impl::follow_timeline(double pts_ms, double duration_ms) noexcept {
  if (!started) {
    started = true;
  } else {
    const double delta = pts_ms - next_in_ms;
    if (delta > ContinuityToleranceMs && delta <= MaxGapMs) {
      ++status.gaps;
      // The padded packet ends at most 20 ms after the old data, the gap is over 40 ms: the
      // jumped-to position never overlaps it.
      const int64_t resume =
          fifo_pts + static_cast<int64_t>(fifo_frames) + std::llround(delta * OutRate / 1000.0);
      pad_and_encode();
      fifo_pts = resume;
    } else if (delta > MaxGapMs || delta < -ContinuityToleranceMs) {
      ++status.rebases;
    }
  }
  next_in_ms = pts_ms + duration_ms;
}

bool AacOpusTranscoder::Impl::reserve_fifo(size_t frames) noexcept {
  const size_t need = fifo_frames + frames;
  if (need * 2 <= fifo.size()) return true;
  if (need > MaxFifoFrames) return false;
  try {
    fifo.resize(need * 2);
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

void AacOpusTranscoder::Impl::drain_resampler() noexcept {
  const int pending = swr_get_out_samples(swr.get(), 0);
  if (pending > 0 && reserve_fifo(static_cast<size_t>(pending))) {
    auto* dst = reinterpret_cast<uint8_t*>(fifo.data() + fifo_frames * out_channels);
    const int n = swr_convert(swr.get(), &dst, pending, nullptr, 0);
    if (n > 0) fifo_frames += static_cast<size_t>(n);
  }
  swr_in_rate = 0;  // a flushed resampler is re-initialized before further use
  encode_ready();
}

bool AacOpusTranscoder::Impl::resample(const AVFrame& fr) noexcept {
  const int room = swr_get_out_samples(swr.get(), fr.nb_samples);
  if (room < 0 || !reserve_fifo(static_cast<size_t>(room))) return false;
  auto* dst = reinterpret_cast<uint8_t*>(fifo.data() + fifo_frames * out_channels);
  const int n = swr_convert(swr.get(), &dst, room, const_cast<const uint8_t**>(fr.extended_data),
                            fr.nb_samples);
  if (n < 0) return false;
  fifo_frames += static_cast<size_t>(n);
  return true;
}

void AacOpusTranscoder::Impl::encode_ready() noexcept {
  size_t read = 0;
  while (fifo_frames - read >= PacketFrames) {
    encode_one(fifo.data() + read * out_channels);
    read += PacketFrames;
  }
  if (read == 0) return;
  fifo_frames -= read;
  std::memmove(fifo.data(), fifo.data() + read * out_channels,
               fifo_frames * out_channels * sizeof(float));
}

void AacOpusTranscoder::Impl::pad_and_encode() noexcept {
  encode_ready();
  if (fifo_frames == 0 || out_channels == 0) return;
  std::fill(fifo.begin() + static_cast<std::ptrdiff_t>(fifo_frames * out_channels),
            fifo.begin() + static_cast<std::ptrdiff_t>(PacketFrames * out_channels), 0.0F);
  fifo_frames = PacketFrames;
  encode_ready();
}

void AacOpusTranscoder::Impl::encode_one(const float* pcm) noexcept {
  const int64_t pts = fifo_pts;
  fifo_pts += static_cast<int64_t>(PacketFrames);
  const size_t offset = arena.size();
  try {
    arena.resize(offset + MaxOpusPacket);
    metas.reserve(metas.size() + 1);
  } catch (const std::bad_alloc&) {
    ++status.encode_errors;
    return;
  }
  const opus_int32 n = encoder == nullptr
                           ? OPUS_INVALID_STATE
                           : opus_encode_float(encoder, pcm, static_cast<int>(PacketFrames),
                                               arena.data() + offset, MaxOpusPacket);
  if (n <= 0) {
    arena.resize(offset);
    ++status.encode_errors;
    return;
  }
  arena.resize(offset + static_cast<size_t>(n));
  metas.push_back({offset, static_cast<size_t>(n), pts, out_channels});
  ++status.frames_out;
}

std::span<const OpusPacketView> AacOpusTranscoder::Impl::finish_batch() noexcept {
  // Views are made last: the arena may have moved while packets were appended.
  try {
    views.resize(metas.size());
  } catch (const std::bad_alloc&) {
    return {};
  }
  for (size_t i = 0; i < metas.size(); ++i) {
    const Meta& m = metas[i];
    views[i] = {std::span<const uint8_t>(arena.data() + m.offset, m.size), m.pts, arrival_ns,
                m.channels};
  }
  return views;
}

AacOpusTranscoder::AacOpusTranscoder(TranscoderConfig config)
    : impl_(std::make_unique<Impl>(config)) {}
AacOpusTranscoder::~AacOpusTranscoder() = default;
AacOpusTranscoder::AacOpusTranscoder(AacOpusTranscoder&&) noexcept = default;
AacOpusTranscoder& AacOpusTranscoder::operator=(AacOpusTranscoder&&) noexcept = default;

std::span<const OpusPacketView> AacOpusTranscoder::push(const Frame& aac) noexcept {
  Impl& m = *impl_;
  m.arena.clear();
  m.metas.clear();
  ++m.status.frames_in;
  m.arrival_ns = aac.arrival_ns;
  if (!m.accept(aac) || !m.ensure_decoder(aac.audio) || !m.decode(aac)) {
    ++m.status.decode_errors;
  }
  return m.finish_batch();
}

std::span<const OpusPacketView> AacOpusTranscoder::flush() noexcept {
  Impl& m = *impl_;
  m.arena.clear();
  m.metas.clear();
  if (m.swr) m.drain_resampler();
  m.pad_and_encode();
  return m.finish_batch();
}

const TranscoderStatus& AacOpusTranscoder::status() const noexcept {
  return impl_->status;
}

}  // namespace media
