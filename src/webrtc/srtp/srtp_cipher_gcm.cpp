#include "webrtc/srtp/srtp_cipher_gcm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <new>

namespace webrtc::srtp {

std::unique_ptr<SrtpCipherGcm> SrtpCipherGcm::create(std::span<const uint8_t> session_key,
                                                     std::span<const uint8_t> session_salt,
                                                     bool encrypt) noexcept {
  if (session_key.size() != KeyLength || session_salt.size() != SaltLength) return nullptr;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (!ctx) return nullptr;
  // Keyed once; each packet only sets a new IV (the 12-byte default IV length of GCM).
  if (EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), nullptr, session_key.data(), nullptr,
                        encrypt ? 1 : 0) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  auto* cipher = new (std::nothrow) SrtpCipherGcm(ctx, encrypt);
  if (!cipher) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  std::memcpy(cipher->salt_.data(), session_salt.data(), SaltLength);
  return std::unique_ptr<SrtpCipherGcm>(cipher);
}

SrtpCipherGcm::~SrtpCipherGcm() {
  EVP_CIPHER_CTX_free(ctx_);  // clears the key schedule
  OPENSSL_cleanse(salt_.data(), salt_.size());
}

// RFC 7714 8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.
SrtpCipherGcm::Iv SrtpCipherGcm::rtp_iv(uint32_t ssrc, uint64_t index) const noexcept {
  Iv iv{};
  put_be32(iv.data() + 2, ssrc);
  put_be32(iv.data() + 6, static_cast<uint32_t>(index >> 16));
  iv[10] = static_cast<uint8_t>(index >> 8);
  iv[11] = static_cast<uint8_t>(index);
  for (size_t i = 0; i < iv.size(); ++i)
    iv[i] ^= salt_[i];
  return iv;
}

// RFC 7714 9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.
SrtpCipherGcm::Iv SrtpCipherGcm::rtcp_iv(uint32_t ssrc, uint32_t index) const noexcept {
  Iv iv{};
  put_be32(iv.data() + 2, ssrc);
  put_be32(iv.data() + 8, index & ~SrtcpEncryptedFlag);
  for (size_t i = 0; i < iv.size(); ++i)
    iv[i] ^= salt_[i];
  return iv;
}

bool SrtpCipherGcm::run(const Iv& iv, std::span<const uint8_t> aad_a,
                        std::span<const uint8_t> aad_b, std::span<uint8_t> text,
                        std::span<uint8_t> tag) noexcept {
  if (aad_a.size() > INT_MAX || aad_b.size() > INT_MAX || text.size() > INT_MAX) return false;
  int n = 0;
  if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, iv.data(), encrypt_ ? 1 : 0) != 1) {
    return false;
  }
  if (!encrypt_ && EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                                       tag.data()) != 1) {
    return false;
  }
  if (EVP_CipherUpdate(ctx_, nullptr, &n, aad_a.data(), static_cast<int>(aad_a.size())) != 1) {
    return false;
  }
  if (!aad_b.empty() &&
      EVP_CipherUpdate(ctx_, nullptr, &n, aad_b.data(), static_cast<int>(aad_b.size())) != 1) {
    return false;
  }
  if (!text.empty() &&
      EVP_CipherUpdate(ctx_, text.data(), &n, text.data(), static_cast<int>(text.size())) != 1) {
    return false;
  }
  // Decrypt: Final is where GCM compares the tag (constant time inside OpenSSL).
  uint8_t none[16];
  if (EVP_CipherFinal_ex(ctx_, none, &n) != 1) return false;
  if (!encrypt_) return true;
  return EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag.size()),
                             tag.data()) == 1;
}

bool SrtpCipherGcm::protect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                                uint64_t index) noexcept {
  if (!encrypt_ || packet.size() < header_length + TagLength) return false;
  const size_t end = packet.size() - TagLength;
  // RFC 7714 8.2: AAD is the whole RTP header, CSRCs and extension included.
  return run(rtp_iv(ssrc, index), packet.first(header_length), {},
             packet.subspan(header_length, end - header_length), packet.subspan(end));
}

bool SrtpCipherGcm::unprotect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                                  uint64_t index) noexcept {
  if (encrypt_ || packet.size() < header_length + TagLength) return false;
  const size_t end = packet.size() - TagLength;
  return run(rtp_iv(ssrc, index), packet.first(header_length), {},
             packet.subspan(header_length, end - header_length), packet.subspan(end));
}

// RFC 7714 9.1/17: header || ciphertext || tag || E||index; AAD = header || E||index.
bool SrtpCipherGcm::protect_rtcp(std::span<uint8_t> packet, uint32_t ssrc,
                                 uint32_t index) noexcept {
  const size_t trailer = TagLength + SrtcpIndexSize;
  if (!encrypt_ || packet.size() < SrtcpHeaderSize + trailer) return false;
  const size_t end = packet.size() - trailer;
  uint8_t* e_index = packet.data() + end + TagLength;
  put_be32(e_index, SrtcpEncryptedFlag | index);
  return run(rtcp_iv(ssrc, index), packet.first(SrtcpHeaderSize), {e_index, SrtcpIndexSize},
             packet.subspan(SrtcpHeaderSize, end - SrtcpHeaderSize),
             packet.subspan(end, TagLength));
}

bool SrtpCipherGcm::unprotect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index,
                                   bool encrypted) noexcept {
  const size_t trailer = TagLength + SrtcpIndexSize;
  if (encrypt_ || packet.size() < SrtcpHeaderSize + trailer) return false;
  const size_t end = packet.size() - trailer;
  const std::span<const uint8_t> e_index = packet.subspan(end + TagLength, SrtcpIndexSize);
  const auto tag = packet.subspan(end, TagLength);
  // RFC 7714 9.2: with E = 0 the whole RTCP packet is AAD and nothing is decrypted.
  if (!encrypted) return run(rtcp_iv(ssrc, index), packet.first(end), e_index, {}, tag);
  return run(rtcp_iv(ssrc, index), packet.first(SrtcpHeaderSize), e_index,
             packet.subspan(SrtcpHeaderSize, end - SrtcpHeaderSize), tag);
}

}  // namespace webrtc::srtp
