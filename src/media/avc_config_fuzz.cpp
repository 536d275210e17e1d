// libFuzzer target: AVCDecoderConfigurationRecord (avcC) parsing. A record that parses must come
// back unchanged through both ways of rebuilding it for players (the received record with 4-byte
// NAL lengths, and one built from the SPS/PPS lists alone).
#include <cstddef>
#include <cstdint>

#include "media/avc_config.hpp"

namespace {

void check_round_trip(const media::AvcConfig& original, const media::VideoConfig& config) {
  const auto rebuilt = media::make_avc_record(config);
  const auto again = media::AvcConfig::parse(rebuilt);
  if (!again || again->sps != original.sps || again->pps != original.pps ||
      again->nalu_length_size != 4) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> record(data, size);
  const auto parsed = media::AvcConfig::parse(record);
  if (!parsed) return 0;
  media::VideoConfig config = parsed->to_video_config(record);
  check_round_trip(*parsed, config);
  config.record.clear();
  check_round_trip(*parsed, config);
  return 0;
}
