#pragma once
// AEAD_AES_128_GCM for SRTP and SRTCP (RFC 7714) on one pre-keyed OpenSSL GCM context.
#include <array>
#include <memory>

#include "webrtc/srtp/srtp_cipher.hpp"

struct evp_cipher_ctx_st;

namespace webrtc::srtp {

class SrtpCipherGcm final : public SrtpCipher {
 public:
  static constexpr size_t KeyLength = 16;
  static constexpr size_t SaltLength = 12;  // RFC 7714 12
  static constexpr size_t TagLength = 16;   // RFC 7714 14.2: 16-octet tag

  // Session key and salt (already derived). encrypt selects the direction of the context.
  static std::unique_ptr<SrtpCipherGcm> create(std::span<const uint8_t> session_key,
                                               std::span<const uint8_t> session_salt,
                                               bool encrypt) noexcept;
  ~SrtpCipherGcm() override;

  size_t tag_length() const noexcept override { return TagLength; }
  bool protect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                   uint64_t index) noexcept override;
  bool unprotect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                     uint64_t index) noexcept override;
  bool protect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index) noexcept override;
  bool unprotect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index,
                      bool encrypted) noexcept override;

 private:
  SrtpCipherGcm(evp_cipher_ctx_st* ctx, bool encrypt) noexcept : ctx_(ctx), encrypt_(encrypt) {}

  using Iv = std::array<uint8_t, SaltLength>;
  Iv rtp_iv(uint32_t ssrc, uint64_t index) const noexcept;
  Iv rtcp_iv(uint32_t ssrc, uint32_t index) const noexcept;
  // One AEAD pass: authenticate aad_a || aad_b, transform text in place, write or check tag.
  bool run(const Iv& iv, std::span<const uint8_t> aad_a, std::span<const uint8_t> aad_b,
           std::span<uint8_t> text, std::span<uint8_t> tag) noexcept;

  evp_cipher_ctx_st* ctx_;
  bool encrypt_;
  std::array<uint8_t, SaltLength> salt_{};
};

}  // namespace webrtc::srtp
