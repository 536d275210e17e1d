// libFuzzer target: AMF0 decode, then encode and decode again; the two decodes must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "rtmp/amf0.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rtmp::amf0::Decoder d(std::span<const uint8_t>(data, size));
  auto values = d.all();
  if (!values) return 0;
  std::vector<uint8_t> encoded;
  for (const auto& v : *values)
    rtmp::amf0::encode(v, encoded);
  rtmp::amf0::Decoder again(encoded);
  auto values2 = again.all();
  if (!values2 || *values2 != *values) std::abort();
  return 0;
}
