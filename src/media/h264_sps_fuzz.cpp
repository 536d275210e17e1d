// libFuzzer target: H.264 sequence parameter set parsing (one NAL unit with its header), and
// emulation prevention removal, whose output is never longer than its input.
#include <cstddef>
#include <cstdint>

#include "media/h264_sps.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> nal(data, size);
  if (media::h264_unescape(nal).size() > size) __builtin_trap();
  const auto sps = media::H264Sps::parse(nal);
  if (sps) (void)media::h264_profile_name(sps->profile_idc, sps->constraint_flags);
  return 0;
}
