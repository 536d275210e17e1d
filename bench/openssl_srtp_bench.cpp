// Prototype: SRTP protect written directly on OpenSSL EVP (one preallocated, pre-keyed context
// per direction), to see whether our own SRTP would be clearly faster than Debian's NSS-based
// libsrtp2 (BM_SrtpProtect). Before timing, its output is compared byte for byte with
// SrtpSession's for the same master key; a mismatch skips the benchmark.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <vector>

#include "alloc_counter.hpp"
#include "webrtc/srtp/srtp_session.hpp"

namespace {

using webrtc::srtp::SrtpProfile;
using webrtc::srtp::SrtpSession;

constexpr size_t kPacketBytes = 1200;
constexpr size_t kHeaderBytes = 12;  // RFC 3550 5.1, no CSRC or extension
constexpr std::array<uint8_t, 16> kMasterKey = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                                0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
constexpr std::array<uint8_t, 14> kMasterSalt = {0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
                                                 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d};

// RFC 3711 4.3.1/4.3.3 AES-CM PRF with key_derivation_rate 0: x = (label << 48) XOR salt,
// keystream from AES-CTR at IV x * 2^16. RFC 7714 11 pads GCM's 96-bit salt with zeros.
std::vector<uint8_t> derive(std::span<const uint8_t> salt, uint8_t label, size_t length) {
  std::array<uint8_t, 16> iv{};
  std::copy(salt.begin(), salt.end(), iv.begin());
  iv[7] ^= label;
  std::vector<uint8_t> out(length, 0);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, kMasterKey.data(), iv.data());
  EVP_EncryptUpdate(ctx, out.data(), &n, out.data(), static_cast<int>(length));
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

class OpenSslSrtp {
 public:
  explicit OpenSslSrtp(bool gcm) : gcm_(gcm), cipher_(EVP_CIPHER_CTX_new()) {
    const auto salt = std::span(kMasterSalt).first(gcm ? 12 : 14);
    const auto key = derive(salt, 0x00, 16);
    const auto session_salt = derive(salt, 0x02, gcm ? 12 : 14);
    std::copy(session_salt.begin(), session_salt.end(), salt_.begin());
    EVP_EncryptInit_ex(cipher_, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), nullptr, key.data(),
                       nullptr);
    if (gcm) return;
    const auto auth_key = derive(salt, 0x01, 20);
    mac_alg_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    mac_ = EVP_MAC_CTX_new(mac_alg_);
    char digest[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    EVP_MAC_init(mac_, auth_key.data(), auth_key.size(), params);
  }
  ~OpenSslSrtp() {
    EVP_CIPHER_CTX_free(cipher_);
    EVP_MAC_CTX_free(mac_);
    EVP_MAC_free(mac_alg_);
  }
  OpenSslSrtp(const OpenSslSrtp&) = delete;
  OpenSslSrtp& operator=(const OpenSslSrtp&) = delete;

  // In place, ROC 0; returns the protected length or 0.
  size_t protect(uint8_t* p, size_t len) noexcept {
    const uint8_t* ssrc = p + 8;
    const uint8_t* seq = p + 2;
    uint8_t* payload = p + kHeaderBytes;
    const int payload_len = static_cast<int>(len - kHeaderBytes);
    int n = 0;
    std::array<uint8_t, 16> iv{};
    if (gcm_) {
      // RFC 7714 8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; AAD = header (9.1).
      std::memcpy(iv.data() + 2, ssrc, 4);
      std::memcpy(iv.data() + 10, seq, 2);
      for (size_t i = 0; i < 12; ++i)
        iv[i] ^= salt_[i];
      if (!EVP_EncryptInit_ex(cipher_, nullptr, nullptr, nullptr, iv.data()) ||
          !EVP_EncryptUpdate(cipher_, nullptr, &n, p, kHeaderBytes) ||
          !EVP_EncryptUpdate(cipher_, payload, &n, payload, payload_len) ||
          !EVP_EncryptFinal_ex(cipher_, payload + payload_len, &n) ||
          !EVP_CIPHER_CTX_ctrl(cipher_, EVP_CTRL_AEAD_GET_TAG, 16, payload + payload_len)) {
        return 0;
      }
      return len + 16;
    }
    // RFC 3711 4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
    std::copy(salt_.begin(), salt_.begin() + 14, iv.begin());
    for (size_t i = 0; i < 4; ++i)
      iv[4 + i] ^= ssrc[i];
    iv[12] ^= seq[0];
    iv[13] ^= seq[1];
    static constexpr uint8_t kRoc[4] = {0, 0, 0, 0};
    std::array<uint8_t, 20> tag{};
    size_t tag_len = 0;
    // RFC 3711 4.2: HMAC-SHA1 over the protected packet || ROC, truncated to 80 bits.
    if (!EVP_EncryptInit_ex(cipher_, nullptr, nullptr, nullptr, iv.data()) ||
        !EVP_EncryptUpdate(cipher_, payload, &n, payload, payload_len) ||
        !EVP_MAC_init(mac_, nullptr, 0, nullptr) || !EVP_MAC_update(mac_, p, len) ||
        !EVP_MAC_update(mac_, kRoc, sizeof kRoc) ||
        !EVP_MAC_final(mac_, tag.data(), &tag_len, tag.size())) {
      return 0;
    }
    std::memcpy(p + len, tag.data(), 10);
    return len + 10;
  }

 private:
  bool gcm_;
  EVP_CIPHER_CTX* cipher_;
  EVP_MAC* mac_alg_ = nullptr;
  EVP_MAC_CTX* mac_ = nullptr;
  std::array<uint8_t, 14> salt_{};
};

using Packet = std::array<uint8_t, kPacketBytes + SrtpSession::MaxRtpTrailer>;

Packet test_packet(uint16_t seq) {
  Packet p{};
  p[0] = 0x80;
  p[1] = 96;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[8] = 0x12;  // SSRC 0x12345678
  p[9] = 0x34;
  p[10] = 0x56;
  p[11] = 0x78;
  for (size_t i = kHeaderBytes; i < kPacketBytes; ++i)
    p[i] = static_cast<uint8_t>(i * 131);
  return p;
}

bool matches_libsrtp(OpenSslSrtp& ours, SrtpProfile profile) {
  auto reference = SrtpSession::create(
      profile, webrtc::srtp::SrtpDirection::Outbound, kMasterKey,
      std::span(kMasterSalt).first(webrtc::srtp::srtp_master_salt_length(profile)));
  if (!reference) return false;
  for (uint16_t seq : {1, 2, 500}) {
    Packet a = test_packet(seq);
    Packet b = a;
    const auto n = reference->protect_rtp(a, kPacketBytes);
    if (!n || ours.protect(b.data(), kPacketBytes) != *n || a != b) return false;
  }
  return true;
}

void BM_OpenSslSrtpProtect(benchmark::State& state, SrtpProfile profile) {
  const bool gcm = profile == SrtpProfile::AeadAes128Gcm;
  OpenSslSrtp srtp(gcm);
  if (!matches_libsrtp(srtp, profile)) {
    state.SkipWithError("output differs from libsrtp");
    return;
  }
  Packet packet = test_packet(0);
  uint16_t seq = 0;
  bool failed = false;
  const uint64_t allocs_before = bench::allocations();
  for (auto _ : state) {
    packet[2] = static_cast<uint8_t>(seq >> 8);
    packet[3] = static_cast<uint8_t>(seq);
    ++seq;
    failed |= srtp.protect(packet.data(), kPacketBytes) == 0;
    benchmark::DoNotOptimize(packet.data());
  }
  if (failed) state.SkipWithError("protect failed");
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

BENCHMARK_CAPTURE(BM_OpenSslSrtpProtect, AES_CM_128_HMAC_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80);
BENCHMARK_CAPTURE(BM_OpenSslSrtpProtect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm);
