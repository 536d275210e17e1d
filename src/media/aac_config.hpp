#pragma once
// AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the AAC sequence header of an RTMP publisher.
#include <cstdint>
#include <optional>
#include <span>

#include "media/frame.hpp"

namespace media {

struct AacConfig {
  uint8_t object_type = 0;       // audioObjectType as signalled first (2 LC, 5 SBR, 29 PS, ...)
  uint8_t core_object_type = 0;  // after SBR/PS signalling: the core decoder's type
  uint32_t sample_rate = 0;      // core decoder rate
  uint8_t channel_configuration = 0;
  uint8_t channels = 0;  // from the channel configuration or the PCE
  bool sbr = false;
  bool ps = false;
  uint32_t extension_sample_rate = 0;  // SBR output rate when sbr

  // Explicit (object type 5/29) and backward-compatible (sync extension 0x2b7) SBR signalling.
  static std::optional<AacConfig> parse(std::span<const uint8_t> asc) noexcept;

  AudioConfig to_audio_config(std::span<const uint8_t> asc) const;
};

}  // namespace media
