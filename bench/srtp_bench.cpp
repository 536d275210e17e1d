// SRTP protect of one 1200-byte RTP packet through our webrtc::srtp wrapper (Debian's libsrtp2,
// whose AES and HMAC come from NSS). allocs_per_packet counts every malloc, NSS's included.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>

#include "alloc_counter.hpp"
#include "webrtc/srtp/srtp_session.hpp"

namespace {

using webrtc::srtp::SrtpDirection;
using webrtc::srtp::SrtpProfile;
using webrtc::srtp::SrtpSession;

constexpr size_t kPacketBytes = 1200;

void BM_SrtpProtect(benchmark::State& state, SrtpProfile profile) {
  std::array<uint8_t, 16> key{};
  std::array<uint8_t, 14> salt{};
  for (size_t i = 0; i < key.size(); ++i)
    key[i] = static_cast<uint8_t>(0xa0 + i);
  for (size_t i = 0; i < salt.size(); ++i)
    salt[i] = static_cast<uint8_t>(0x30 + i);
  auto session =
      SrtpSession::create(profile, SrtpDirection::Outbound, key,
                          std::span(salt).first(webrtc::srtp::srtp_master_salt_length(profile)));
  if (!session) {
    state.SkipWithError("SrtpSession::create failed");
    return;
  }
  std::array<uint8_t, kPacketBytes + SrtpSession::MaxRtpTrailer> packet{};
  packet[0] = 0x80;  // RFC 3550 5.1: V=2, no padding/extension/CSRC
  packet[1] = 96;
  for (size_t i = 12; i < kPacketBytes; ++i)
    packet[i] = static_cast<uint8_t>(i * 131);
  uint16_t seq = 0;
  bool failed = false;
  const uint64_t allocs_before = bench::allocations();
  for (auto _ : state) {
    // Protecting the previous ciphertext again costs the same; only the index must advance.
    packet[2] = static_cast<uint8_t>(seq >> 8);
    packet[3] = static_cast<uint8_t>(seq);
    ++seq;
    failed |= !session->protect_rtp(packet, kPacketBytes);
    benchmark::DoNotOptimize(packet.data());
  }
  if (failed) state.SkipWithError("protect_rtp failed");
  const auto packets = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPacketBytes));
  state.counters["ns_per_packet"] =
      benchmark::Counter(packets * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  if (bench::allocations_counted()) {
    state.counters["allocs_per_packet"] =
        static_cast<double>(bench::allocations() - allocs_before) / packets;
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_SrtpProtect, AES_CM_128_HMAC_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80);
BENCHMARK_CAPTURE(BM_SrtpProtect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm);
