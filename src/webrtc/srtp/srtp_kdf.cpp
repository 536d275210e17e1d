#include "webrtc/srtp/srtp_kdf.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace webrtc::srtp {
namespace {

constexpr size_t Aes128KeyLength = 16;
constexpr size_t MaxSaltLength = 14;  // RFC 3711 8.2: 112-bit master salt
constexpr size_t MaxOutLength = 256;  // longest session key any profile needs is 20 bytes

}  // namespace

bool srtp_kdf(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt,
              SrtpKdfLabel label, std::span<uint8_t> out) noexcept {
  if (master_key.size() != Aes128KeyLength || master_salt.size() > MaxSaltLength ||
      out.size() > MaxOutLength) {
    return false;
  }
  // RFC 3711 4.3.1: key_id = label || r (r = 0 with kdr 0) is 56 bits; x = key_id XOR
  // master_salt puts the label in octet 7 of the 14-octet salt. The PRF input is x * 2^16.
  std::array<uint8_t, 16> iv{};
  std::memcpy(iv.data(), master_salt.data(), master_salt.size());
  iv[7] ^= static_cast<uint8_t>(label);
  std::memset(out.data(), 0, out.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (!ctx) return false;
  int n = 0;
  const bool ok =
      EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, master_key.data(), iv.data()) == 1 &&
      EVP_EncryptUpdate(ctx, out.data(), &n, out.data(), static_cast<int>(out.size())) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) OPENSSL_cleanse(out.data(), out.size());
  return ok;
}

}  // namespace webrtc::srtp
