#pragma once
// What the SRTP protect benchmarks share (our libsrtp2 wrapper and the OpenSSL prototype): one
// master key, one 1200-byte RTP packet and the timed loop, so their figures compare directly.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "alloc_counter.hpp"
#include "egress_fixture.hpp"
#include "webrtc/srtp/srtp_session.hpp"

namespace bench {

inline constexpr size_t SrtpPacketBytes = 1200;
inline constexpr size_t RtpHeaderBytes = 12;  // RFC 3550 5.1, no CSRC or extension
inline constexpr std::array<uint8_t, 16> SrtpMasterKey = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
// AES-CM's 112 bits; GCM uses the first 96 (srtp_master_salt_length).
inline constexpr std::array<uint8_t, 14> SrtpMasterSalt = {
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d};

// Room for the packet and the longest SRTP trailer, as protect_rtp wants it.
using SrtpPacket = std::array<uint8_t, SrtpPacketBytes + webrtc::srtp::SrtpSession::MaxRtpTrailer>;

// V=2, PT 96, SSRC 0x12345678, sequence number `seq` and a patterned payload.
SrtpPacket srtp_test_packet(uint16_t seq);

// Times `protect(packet)` (in place over SrtpPacketBytes, false on failure), with a new
// sequence number each iteration: protecting the previous ciphertext again costs the same;
// only the index must advance. A template so the timed call is inlined as it is in the server.
template <typename Protect>
void time_protect(benchmark::State& state, Protect&& protect) {
  SrtpPacket packet = srtp_test_packet(0);
  uint16_t seq = 0;
  bool failed = false;
  const uint64_t allocs_before = allocations();
  for (auto _ : state) {
    packet[2] = static_cast<uint8_t>(seq >> 8);
    packet[3] = static_cast<uint8_t>(seq);
    ++seq;
    failed |= !protect(packet);
    benchmark::DoNotOptimize(packet.data());
  }
  if (failed) state.SkipWithError("protect failed");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * SrtpPacketBytes));
  report_per_packet(state, static_cast<double>(state.iterations()), allocs_before);
}

}  // namespace bench
