#pragma once
// Thin wrapper over libopus' decoder (RFC 6716) at 48 kHz, for tests and the WHEP client:
// one packet in, interleaved PCM out.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

struct OpusDecoder;  // libopus

namespace media {

class OpusDecoder {
 public:
  static constexpr uint32_t SampleRate = 48000;
  // RFC 6716 3.2.5: a packet holds at most 120 ms of audio.
  static constexpr size_t MaxFrameSamples = 5760;

  // `channels` (1 or 2) is the output layout; libopus mixes or duplicates as the packet needs.
  // Throws std::invalid_argument for another count, std::runtime_error when libopus fails.
  explicit OpusDecoder(uint8_t channels = 2);
  ~OpusDecoder();
  OpusDecoder(OpusDecoder&& other) noexcept;
  OpusDecoder& operator=(OpusDecoder&& other) noexcept;
  OpusDecoder(const OpusDecoder&) = delete;
  OpusDecoder& operator=(const OpusDecoder&) = delete;

  // Decodes one packet into `out` (interleaved, channels() per frame). Returns the samples per
  // channel written, or nullopt (counted in errors()) for a malformed packet or when `out`
  // is too small; an empty packet asks libopus for 20 ms of loss concealment.
  std::optional<size_t> decode(std::span<const uint8_t> packet, std::span<float> out) noexcept;
  std::optional<size_t> decode(std::span<const uint8_t> packet, std::span<int16_t> out) noexcept;

  uint8_t channels() const noexcept { return channels_; }
  uint64_t errors() const noexcept { return errors_; }

  // RFC 6716 3.1: samples per channel at 48 kHz and the stereo flag, from the TOC byte and
  // frame count; nullopt for a malformed packet.
  static std::optional<size_t> packet_samples(std::span<const uint8_t> packet) noexcept;
  static std::optional<uint8_t> packet_channels(std::span<const uint8_t> packet) noexcept;

 private:
  template <typename T, typename Decode>
  std::optional<size_t> run(std::span<const uint8_t> packet, std::span<T> out,
                            Decode decode) noexcept;

  ::OpusDecoder* decoder_ = nullptr;
  uint8_t channels_ = 2;
  uint64_t errors_ = 0;
};

}  // namespace media
