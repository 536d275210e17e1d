// libFuzzer target for SDP candidate lines (style rule 10): parse, format, parse again.
// Build with clang -fsanitize=fuzzer,address,undefined.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "webrtc/ice/ice_candidate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using webrtc::ice::IceCandidate;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto c = IceCandidate::parse(line);
  if (!c) return 0;
  const auto again = IceCandidate::parse(c->to_sdp_line());
  if (!again || again->to_attribute() != c->to_attribute()) std::abort();
  return 0;
}
