// libFuzzer target: AudioSpecificConfig parsing (explicit and backward-compatible SBR/PS
// signalling, program config elements).
#include <cstddef>
#include <cstdint>

#include "media/aac_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> asc(data, size);
  const auto config = media::AacConfig::parse(asc);
  if (config) (void)config->to_audio_config(asc);
  return 0;
}
