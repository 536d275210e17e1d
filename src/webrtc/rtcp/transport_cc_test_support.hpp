#pragma once
// For the transport-cc tests of this folder: packet statuses and the Chromium-shaped feedback
// that carries them.
#include <cstdint>
#include <vector>

#include "webrtc/rtcp/transport_cc.hpp"

namespace webrtc::rtcp::test {

inline TransportCcPacket got(uint16_t seq, int32_t delta_us) {
  return {seq, true, delta_us};
}
inline TransportCcPacket lost(uint16_t seq) {
  return {seq, false, 0};
}

// Base 65530, 20 packets, so sequence numbers wrap after the sixth. Chromium's chunking of
// symbols 1x8, 0, 0, 2, 1x9: 0xD555 (two-bit, seven 1s), 0xD095 (1 0 0 2 1 1 1), 0x2006 (run
// of six 1s). Reference time 0x1F4A, feedback count 9, P bit with 3 padding octets.
// tests/data/rtcp/chrome_twcc_wrap.bin, octet by octet:
//   AF CD 00 0B  00 00 00 01  5A 5A 5A 5A    header (P bit, length 11), SSRCs
//   FF FA 00 14  00 1F 4A 09                 base 65530, count 20, reference 0x1F4A, fb 9
//   D5 55 D0 95 20 06                        chunks
//   2C 08 0C 10 04 14 08 0C                  8 small: 11, 2, 3, 4, 1, 5, 2, 3 ms
//   FF F0                                    large -16: -4 ms (reordered)
//   18 04 04 08 0C 04 08 04 10               9 small: 6, 1, 1, 2, 3, 1, 2, 1, 4 ms
//   00 00 03                                 padding
inline std::vector<TransportCcPacket> chrome_twcc_wrap_packets() {
  return {
      got(65530, 11'000), got(65531, 2000), got(65532, 3000), got(65533, 4000), got(65534, 1000),
      got(65535, 5000),   got(0, 2000),     got(1, 3000),     lost(2),          lost(3),
      got(4, -4000),      got(5, 6000),     got(6, 1000),     got(7, 1000),     got(8, 2000),
      got(9, 3000),       got(10, 1000),    got(11, 2000),    got(12, 1000),    got(13, 4000)};
}

}  // namespace webrtc::rtcp::test
