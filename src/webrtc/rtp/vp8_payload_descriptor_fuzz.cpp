// libFuzzer target (style rule 10): the VP8 payload descriptor parser with parse -> write ->
// parse, and the VP8 packetizer on the raw bytes as a frame, its payloads parsed back.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I src <this>
// src/webrtc/rtp/vp8_*.cpp (without the *_test.cpp and *_fuzz.cpp files).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "webrtc/rtp/vp8_packetizer.hpp"
#include "webrtc/rtp/vp8_payload_descriptor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace webrtc::rtp;
  const std::span<const uint8_t> in(data, size);
  if (auto d = Vp8PayloadDescriptor::parse(in)) {
    uint8_t out[Vp8PayloadDescriptor::MaxSize + 1] = {};
    const size_t n = d->write_to(out);
    if (n != d->size()) __builtin_trap();
    out[n] = 0;  // a payload byte, so the copy parses
    auto again = Vp8PayloadDescriptor::parse(std::span<const uint8_t>(out, n + 1));
    if (!again || again->size() != n || again->picture_id != d->picture_id ||
        again->start != d->start || again->partition_id != d->partition_id) {
      __builtin_trap();
    }
  }
  static Vp8Packetizer packetizer(64);
  static uint8_t payload[64];
  if (packetizer.begin(in)) {
    size_t total = 0;
    while (auto p = packetizer.next(payload)) {
      auto d = Vp8PayloadDescriptor::parse(std::span<const uint8_t>(payload, p->size));
      if (!d || p->size > sizeof payload) __builtin_trap();
      if (std::memcmp(payload + d->size(), data + total, p->size - d->size()) != 0) {
        __builtin_trap();
      }
      total += p->size - d->size();
    }
    if (total != size) __builtin_trap();
  }
  return 0;
}
