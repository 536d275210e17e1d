#include "srtp_fixture.hpp"

namespace bench {

SrtpPacket srtp_test_packet(uint16_t seq) {
  SrtpPacket p{};
  p[0] = 0x80;
  p[1] = 96;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[8] = 0x12;
  p[9] = 0x34;
  p[10] = 0x56;
  p[11] = 0x78;
  for (size_t i = RtpHeaderBytes; i < SrtpPacketBytes; ++i)
    p[i] = static_cast<uint8_t>(i * 131);
  return p;
}

}  // namespace bench
