#pragma once
// AES_CM_128_HMAC_SHA1_80 (RFC 3711 4.1.1 and 4.2): AES-128 counter mode on one pre-keyed
// OpenSSL context, HMAC-SHA1 truncated to 80 bits from precomputed inner and outer states.
#include <openssl/sha.h>

#include <array>
#include <memory>

#include "webrtc/srtp/srtp_cipher.hpp"

struct evp_cipher_ctx_st;

namespace webrtc::srtp {

class SrtpCipherCm final : public SrtpCipher {
 public:
  static constexpr size_t KeyLength = 16;
  static constexpr size_t SaltLength = 14;     // RFC 3711 8.2: n_s = 112
  static constexpr size_t AuthKeyLength = 20;  // RFC 3711 5.2: n_a = 160
  static constexpr size_t TagLength = 10;      // HMAC-SHA1-80

  static std::unique_ptr<SrtpCipherCm> create(std::span<const uint8_t> session_key,
                                              std::span<const uint8_t> session_salt,
                                              std::span<const uint8_t> auth_key) noexcept;
  ~SrtpCipherCm() override;

  size_t tag_length() const noexcept override { return TagLength; }
  bool protect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                   uint64_t index) noexcept override;
  bool unprotect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                     uint64_t index) noexcept override;
  bool protect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index) noexcept override;
  bool unprotect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index,
                      bool encrypted) noexcept override;

 private:
  explicit SrtpCipherCm(evp_cipher_ctx_st* ctx) noexcept : ctx_(ctx) {}

  using Tag = std::array<uint8_t, TagLength>;
  // RFC 3711 4.1.1: keystream at IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
  bool crypt(std::span<uint8_t> data, uint32_t ssrc, uint64_t index) noexcept;
  // RFC 2104 HMAC-SHA1 of a || b, truncated to 80 bits (RFC 3711 4.2).
  Tag mac(std::span<const uint8_t> a, std::span<const uint8_t> b) const noexcept;

  evp_cipher_ctx_st* ctx_;
  std::array<uint8_t, SaltLength> salt_{};
  SHA_CTX inner_{};  // SHA-1 state after (key XOR ipad)
  SHA_CTX outer_{};  // SHA-1 state after (key XOR opad)
};

}  // namespace webrtc::srtp
