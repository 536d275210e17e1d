// HMAC uses OpenSSL's SHA1_* functions, deprecated in 3.0 but the only allocation-free way to
// resume a keyed SHA-1 state there: in OpenSSL 3.0 both EVP_MAC_init(ctx, NULL, ...) and
// EVP_MD_CTX_copy_ex duplicate the provider context with malloc on every call (measured: 2 and
// 1 mallocs per packet); copying a SHA_CTX is a plain struct copy.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "webrtc/srtp/srtp_cipher_cm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <new>

namespace webrtc::srtp {
namespace {

constexpr size_t ShaBlockSize = 64;

}  // namespace

std::unique_ptr<SrtpCipherCm> SrtpCipherCm::create(std::span<const uint8_t> session_key,
                                                   std::span<const uint8_t> session_salt,
                                                   std::span<const uint8_t> auth_key) noexcept {
  if (session_key.size() != KeyLength || session_salt.size() != SaltLength ||
      auth_key.size() != AuthKeyLength) {
    return nullptr;
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (!ctx) return nullptr;
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, session_key.data(), nullptr) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  auto* cipher = new (std::nothrow) SrtpCipherCm(ctx);
  if (!cipher) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  std::memcpy(cipher->salt_.data(), session_salt.data(), SaltLength);
  // RFC 2104 2: the 20-byte key is zero-padded to the 64-byte block, then XORed with
  // ipad (0x36) and opad (0x5c); both one-block prefixes are hashed once, here.
  std::array<uint8_t, ShaBlockSize> ipad{};
  std::array<uint8_t, ShaBlockSize> opad{};
  for (size_t i = 0; i < ShaBlockSize; ++i) {
    const uint8_t k = i < auth_key.size() ? auth_key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  SHA1_Init(&cipher->inner_);
  SHA1_Update(&cipher->inner_, ipad.data(), ipad.size());
  SHA1_Init(&cipher->outer_);
  SHA1_Update(&cipher->outer_, opad.data(), opad.size());
  OPENSSL_cleanse(ipad.data(), ipad.size());
  OPENSSL_cleanse(opad.data(), opad.size());
  return std::unique_ptr<SrtpCipherCm>(cipher);
}

SrtpCipherCm::~SrtpCipherCm() {
  EVP_CIPHER_CTX_free(ctx_);
  OPENSSL_cleanse(salt_.data(), salt_.size());
  OPENSSL_cleanse(&inner_, sizeof inner_);
  OPENSSL_cleanse(&outer_, sizeof outer_);
}

bool SrtpCipherCm::crypt(std::span<uint8_t> data, uint32_t ssrc, uint64_t index) noexcept {
  if (data.size() > INT_MAX) return false;
  if (data.empty()) return true;
  std::array<uint8_t, 16> iv{};
  std::memcpy(iv.data(), salt_.data(), SaltLength);
  iv[4] ^= static_cast<uint8_t>(ssrc >> 24);
  iv[5] ^= static_cast<uint8_t>(ssrc >> 16);
  iv[6] ^= static_cast<uint8_t>(ssrc >> 8);
  iv[7] ^= static_cast<uint8_t>(ssrc);
  for (size_t i = 0; i < 6; ++i)  // 48-bit index in octets 8..13
    iv[8 + i] ^= static_cast<uint8_t>(index >> (40 - 8 * i));
  // Octets 14..15 are the block counter; a packet of at most 64 KiB needs 2^12 blocks, so
  // OpenSSL's 128-bit increment never carries into the index.
  int n = 0;
  return EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv.data()) == 1 &&
         EVP_EncryptUpdate(ctx_, data.data(), &n, data.data(), static_cast<int>(data.size())) == 1;
}

SrtpCipherCm::Tag SrtpCipherCm::mac(std::span<const uint8_t> a,
                                    std::span<const uint8_t> b) const noexcept {
  std::array<uint8_t, SHA_DIGEST_LENGTH> digest{};
  SHA_CTX ctx = inner_;
  SHA1_Update(&ctx, a.data(), a.size());
  SHA1_Update(&ctx, b.data(), b.size());
  SHA1_Final(digest.data(), &ctx);
  ctx = outer_;
  SHA1_Update(&ctx, digest.data(), digest.size());
  SHA1_Final(digest.data(), &ctx);
  Tag tag;
  std::memcpy(tag.data(), digest.data(), TagLength);
  return tag;
}

bool SrtpCipherCm::protect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                               uint64_t index) noexcept {
  if (packet.size() < header_length + TagLength) return false;
  const size_t end = packet.size() - TagLength;
  if (!crypt(packet.subspan(header_length, end - header_length), ssrc, index)) return false;
  // RFC 3711 4.2: the authenticated portion is the packet followed by the 32-bit ROC.
  std::array<uint8_t, 4> roc{};
  put_be32(roc.data(), static_cast<uint32_t>(index >> 16));
  const Tag tag = mac(packet.first(end), roc);
  std::memcpy(packet.data() + end, tag.data(), TagLength);
  return true;
}

bool SrtpCipherCm::unprotect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                                 uint64_t index) noexcept {
  if (packet.size() < header_length + TagLength) return false;
  const size_t end = packet.size() - TagLength;
  std::array<uint8_t, 4> roc{};
  put_be32(roc.data(), static_cast<uint32_t>(index >> 16));
  // RFC 3711 3.3 step 5: authenticate before decrypting; a forged packet stays untouched.
  const Tag tag = mac(packet.first(end), roc);
  if (CRYPTO_memcmp(tag.data(), packet.data() + end, TagLength) != 0) return false;
  return crypt(packet.subspan(header_length, end - header_length), ssrc, index);
}

// RFC 3711 3.4: header || encrypted body || E||index || tag; the tag covers E||index.
bool SrtpCipherCm::protect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index) noexcept {
  const size_t trailer = TagLength + SrtcpIndexSize;
  if (packet.size() < SrtcpHeaderSize + trailer) return false;
  const size_t end = packet.size() - trailer;
  if (!crypt(packet.subspan(SrtcpHeaderSize, end - SrtcpHeaderSize), ssrc, index)) return false;
  put_be32(packet.data() + end, SrtcpEncryptedFlag | index);
  const Tag tag = mac(packet.first(end + SrtcpIndexSize), {});
  std::memcpy(packet.data() + end + SrtcpIndexSize, tag.data(), TagLength);
  return true;
}

bool SrtpCipherCm::unprotect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index,
                                  bool encrypted) noexcept {
  const size_t trailer = TagLength + SrtcpIndexSize;
  if (packet.size() < SrtcpHeaderSize + trailer) return false;
  const size_t end = packet.size() - trailer;
  const Tag tag = mac(packet.first(end + SrtcpIndexSize), {});
  if (CRYPTO_memcmp(tag.data(), packet.data() + end + SrtcpIndexSize, TagLength) != 0) {
    return false;
  }
  if (!encrypted) return true;
  return crypt(packet.subspan(SrtcpHeaderSize, end - SrtcpHeaderSize), ssrc, index);
}

}  // namespace webrtc::srtp
