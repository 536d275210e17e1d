// SRTP protect of one 1200-byte RTP packet through our webrtc::srtp wrapper (Debian's libsrtp2,
// whose AES and HMAC come from NSS). allocs_per_packet counts every malloc, NSS's included.
#include <benchmark/benchmark.h>

#include "srtp_fixture.hpp"

namespace {

using webrtc::srtp::SrtpDirection;
using webrtc::srtp::SrtpProfile;
using webrtc::srtp::SrtpSession;

void BM_SrtpProtect(benchmark::State& state, SrtpProfile profile) {
  auto session = SrtpSession::create(
      profile, SrtpDirection::Outbound, bench::SrtpMasterKey,
      std::span(bench::SrtpMasterSalt).first(webrtc::srtp::srtp_master_salt_length(profile)));
  if (!session) {
    state.SkipWithError("SrtpSession::create failed");
    return;
  }
  bench::time_protect(state, [&](bench::SrtpPacket& packet) {
    return session->protect_rtp(packet, bench::SrtpPacketBytes).has_value();
  });
}

}  // namespace

BENCHMARK_CAPTURE(BM_SrtpProtect, AES_CM_128_HMAC_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80);
BENCHMARK_CAPTURE(BM_SrtpProtect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm);
