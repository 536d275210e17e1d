#include "media/opus_decoder.hpp"

#include <opus.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace media {
namespace {

constexpr size_t ConcealFrames = 960;  // 20 ms, our packet duration

}  // namespace

OpusDecoder::OpusDecoder(uint8_t channels) : channels_(channels) {
  if (channels != 1 && channels != 2) throw std::invalid_argument("OpusDecoder: 1 or 2 channels");
  int err = OPUS_OK;
  decoder_ = opus_decoder_create(SampleRate, channels, &err);
  if (err != OPUS_OK || decoder_ == nullptr) throw std::runtime_error(opus_strerror(err));
}

OpusDecoder::~OpusDecoder() {
  if (decoder_ != nullptr) opus_decoder_destroy(decoder_);
}

OpusDecoder::OpusDecoder(OpusDecoder&& other) noexcept
    : decoder_(std::exchange(other.decoder_, nullptr)),
      channels_(other.channels_),
      errors_(other.errors_) {}

OpusDecoder& OpusDecoder::operator=(OpusDecoder&& other) noexcept {
  if (this != &other) {
    if (decoder_ != nullptr) opus_decoder_destroy(decoder_);
    decoder_ = std::exchange(other.decoder_, nullptr);
    channels_ = other.channels_;
    errors_ = other.errors_;
  }
  return *this;
}

// libopus' float and int16 entry points differ only in the sample type.
template <typename T, typename Decode>
std::optional<size_t> OpusDecoder::run(std::span<const uint8_t> packet, std::span<T> out,
                                       Decode decode) noexcept {
  const size_t capacity = out.size() / channels_;
  if (decoder_ == nullptr || packet.size() > 0x7fffffff || capacity == 0) {
    ++errors_;
    return std::nullopt;
  }
  const size_t frames = std::min(capacity, packet.empty() ? ConcealFrames : MaxFrameSamples);
  const int n =
      decode(decoder_, packet.empty() ? nullptr : packet.data(),
             static_cast<opus_int32>(packet.size()), out.data(), static_cast<int>(frames), 0);
  if (n < 0) {
    ++errors_;
    return std::nullopt;
  }
  return static_cast<size_t>(n);
}

std::optional<size_t> OpusDecoder::decode(std::span<const uint8_t> packet,
                                          std::span<float> out) noexcept {
  return run(packet, out, opus_decode_float);
}

std::optional<size_t> OpusDecoder::decode(std::span<const uint8_t> packet,
                                          std::span<int16_t> out) noexcept {
  return run(packet, out, opus_decode);
}

std::optional<size_t> OpusDecoder::packet_samples(std::span<const uint8_t> packet) noexcept {
  if (packet.empty() || packet.size() > 0x7fffffff) return std::nullopt;
  const int n =
      opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(packet.size()), SampleRate);
  if (n <= 0 || static_cast<size_t>(n) > MaxFrameSamples) return std::nullopt;
  return static_cast<size_t>(n);
}

std::optional<uint8_t> OpusDecoder::packet_channels(std::span<const uint8_t> packet) noexcept {
  if (packet.empty()) return std::nullopt;
  const int n = opus_packet_get_nb_channels(packet.data());
  if (n != 1 && n != 2) return std::nullopt;
  return static_cast<uint8_t>(n);
}

}  // namespace media
