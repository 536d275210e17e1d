// libFuzzer target (style rule 10): RTP parse with every accessor, in-place rewrites, the H.264
// depacketizer on the parsed payload and the packetizer on the raw bytes as AVCC and Annex-B.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I src <this> src/webrtc/rtp/*.cpp
// (without the *_test.cpp files); seed from tests/data/rtp.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "webrtc/rtp/h264_depacketizer.hpp"
#include "webrtc/rtp/h264_packetizer.hpp"
#include "webrtc/rtp/rtp_header_writer.hpp"
#include "webrtc/rtp/rtp_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace webrtc::rtp;
  static H264Depacketizer depacketizer(64 * 1024);
  static H264Packetizer packetizer(200);
  std::span<const uint8_t> in(data, size);
  if (auto p = RtpPacketView::parse(in)) {
    for (size_t i = 0; i < p->csrc_count(); ++i)
      (void)p->csrc(i);
    for (uint8_t id = 0; id < 255; ++id)
      (void)p->find_extension(id);
    depacketizer.push(*p, [](const H264Depacketizer::AccessUnit& au) {
      AvccReader r(au.avcc);
      while (r.next()) {
      }
      if (r.failed()) __builtin_trap();  // the depacketizer must always emit valid AVCC
    });
    std::vector<uint8_t> copy(in.begin(), in.end());
    set_sequence_number(copy, 1);
    set_marker(copy, true);
    const uint8_t v[2] = {1, 2};
    set_extension_value(copy, 1, v);
    auto again = RtpPacketView::parse(copy);
    if (!again || again->payload().size() != p->payload().size()) __builtin_trap();
  }
  std::vector<uint8_t> out(packetizer.max_payload_size());
  for (int mode = 0; mode < 2; ++mode) {
    if (mode == 0) {
      packetizer.begin_avcc(in);
    } else {
      packetizer.begin_annexb(in);
    }
    while (auto payload = packetizer.next(out)) {
      if (payload->size > out.size()) __builtin_trap();
    }
  }
  return 0;
}
