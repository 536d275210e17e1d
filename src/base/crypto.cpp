#include "base/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

namespace base {
namespace {

// One HMAC context per thread and digest: fetching the algorithm is the costly part, re-keying
// an existing context is cheap.
class MacContext {
 public:
  explicit MacContext(const char* digest) noexcept {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return;
    ctx_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    if (ctx_ == nullptr) return;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx_, params) != 1) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~MacContext() { EVP_MAC_CTX_free(ctx_); }
  MacContext(const MacContext&) = delete;
  MacContext& operator=(const MacContext&) = delete;

  EVP_MAC_CTX* get() const noexcept { return ctx_; }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

[[noreturn]] void crypto_failure() noexcept {
  std::abort();
}

template <size_t N>
std::array<uint8_t, N> hmac(const MacContext& context, std::span<const uint8_t> key,
                            std::initializer_list<std::span<const uint8_t>> parts) noexcept {
  // EVP_MAC_init with a null key means "keep the previous key", so an empty key must still be
  // passed as a valid pointer.
  static const uint8_t empty_key = 0;
  const uint8_t* key_data = key.empty() ? &empty_key : key.data();
  EVP_MAC_CTX* ctx = context.get();
  std::array<uint8_t, N> out{};
  size_t out_len = 0;
  bool ok = ctx != nullptr && EVP_MAC_init(ctx, key_data, key.size(), nullptr) == 1;
  for (const auto& part : parts) {
    if (ok && !part.empty()) ok = EVP_MAC_update(ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_MAC_final(ctx, out.data(), &out_len, out.size()) == 1 && out_len == N;
  if (!ok) crypto_failure();
  return out;
}

const MacContext& sha1_context() noexcept {
  thread_local const MacContext context("SHA1");
  return context;
}

const MacContext& sha256_context() noexcept {
  thread_local const MacContext context("SHA256");
  return context;
}

constexpr std::array<uint32_t, 256> make_crc32_table() noexcept {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr auto Crc32Table = make_crc32_table();

}  // namespace

Sha1Digest hmac_sha1(std::span<const uint8_t> key, std::span<const uint8_t> data) noexcept {
  return hmac<20>(sha1_context(), key, {data});
}

Sha1Digest hmac_sha1_multi(std::span<const uint8_t> key,
                           std::initializer_list<std::span<const uint8_t>> parts) noexcept {
  return hmac<20>(sha1_context(), key, parts);
}

Sha256Digest hmac_sha256(std::span<const uint8_t> key, std::span<const uint8_t> data) noexcept {
  return hmac<32>(sha256_context(), key, {data});
}

Sha256Digest sha256(std::span<const uint8_t> data) noexcept {
  static const uint8_t empty = 0;
  Sha256Digest out{};
  unsigned int out_len = 0;
  const uint8_t* ptr = data.empty() ? &empty : data.data();
  if (EVP_Digest(ptr, data.size(), out.data(), &out_len, EVP_sha256(), nullptr) != 1 ||
      out_len != out.size()) {
    crypto_failure();
  }
  return out;
}

uint32_t crc32(std::span<const uint8_t> data, uint32_t crc) noexcept {
  crc = ~crc;
  for (uint8_t b : data)
    crc = Crc32Table[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

bool constant_time_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool random_bytes(std::span<uint8_t> out) noexcept {
  if (out.empty()) return true;
  // RAND_bytes takes an int length.
  constexpr size_t Chunk = 1u << 20;
  for (size_t pos = 0; pos < out.size(); pos += Chunk) {
    const size_t n = std::min(Chunk, out.size() - pos);
    if (RAND_bytes(out.data() + pos, static_cast<int>(n)) != 1) return false;
  }
  return true;
}

std::string random_string(size_t n, std::string_view alphabet) {
  if (alphabet.empty() || alphabet.size() > 256 || n > MaxRandomStringSize) return {};
  // Rejection sampling: bytes at or above the largest multiple of the alphabet size would make
  // the first characters more likely than the rest.
  const size_t limit = 256 - (256 % alphabet.size());
  std::string out;
  out.reserve(n);
  std::array<uint8_t, 64> pool{};
  while (out.size() < n) {
    if (!random_bytes(pool)) return {};
    for (uint8_t b : pool) {
      if (out.size() == n) break;
      if (b < limit) out.push_back(alphabet[b % alphabet.size()]);
    }
  }
  return out;
}

}  // namespace base
