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

#include "srtp_fixture.hpp"

namespace {

using webrtc::srtp::SrtpProfile;
using webrtc::srtp::SrtpSession;

using bench::RtpHeaderBytes;
using bench::SrtpMasterKey;
using bench::SrtpMasterSalt;

// RFC 3711 4.3.1/4.3.3 AES-CM PRF with key_derivation_rate 0: x = (label << 48) XOR salt,
// keystream from AES-CTR at IV x * 2^16. RFC 7714 11 pads GCM's 96-bit salt with zeros.
std::vector<uint8_t> derive(std::span<const uint8_t> salt, uint8_t label, size_t length) {
  std::array<uint8_t, 16> iv{};
  std::copy(salt.begin(), salt.end(), iv.begin());
  iv[7] ^= label;
  std::vector<uint8_t> out(length, 0);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, SrtpMasterKey.data(), iv.data());
  EVP_EncryptUpdate(ctx, out.data(), &n, out.data(), static_cast<int>(length));
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

class OpenSslSrtp {
 public:
  explicit OpenSslSrtp(bool gcm) : gcm_(gcm), cipher_(EVP_CIPHER_CTX_new()) {
    const auto salt = std::span(SrtpMasterSalt).first(gcm ? 12 : 14);
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
    uint8_t* payload = p + RtpHeaderBytes;
    const int payload_len = static_cast<int>(len - RtpHeaderBytes);
    int n = 0;
    std::array<uint8_t, 16> iv{};
    if (gcm_) {
      // RFC 7714 8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; AAD = header (9.1).
      std::memcpy(iv.data() + 2, ssrc, 4);
      std::memcpy(iv.data() + 10, seq, 2);
      for (size_t i = 0; i < 12; ++i)
        iv[i] ^= salt_[i];
      if (!EVP_EncryptInit_ex(cipher_, nullptr, nullptr, nullptr, iv.data()) ||
          !EVP_EncryptUpdate(cipher_, nullptr, &n, p, RtpHeaderBytes) ||
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

bool matches_libsrtp(OpenSslSrtp& ours, SrtpProfile profile) {
  auto reference = SrtpSession::create(
      profile, webrtc::srtp::SrtpDirection::Outbound, SrtpMasterKey,
      std::span(SrtpMasterSalt).first(webrtc::srtp::srtp_master_salt_length(profile)));
  if (!reference) return false;
  for (uint16_t seq : {1, 2, 500}) {
    auto a = bench::srtp_test_packet(seq);
    auto b = a;
    const auto n = reference->protect_rtp(a, bench::SrtpPacketBytes);
    if (!n || ours.protect(b.data(), bench::SrtpPacketBytes) != *n || a != b) return false;
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
  bench::time_protect(state, [&](bench::SrtpPacket& packet) {
    return srtp.protect(packet.data(), bench::SrtpPacketBytes) != 0;
  });
}

}  // namespace

BENCHMARK_CAPTURE(BM_OpenSslSrtpProtect, AES_CM_128_HMAC_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80);
BENCHMARK_CAPTURE(BM_OpenSslSrtpProtect, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm);
