#include "webrtc/dtls/fingerprint.hpp"
#include "webrtc/dtls/detail/evp_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>

namespace webrtc::dtls {
namespace {

// The longest valid value: "sha-512 " plus 64 hex pairs with colons, with slack for spaces.
constexpr size_t MaxSdpValueLength = 256;

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

size_t digest_size(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::Sha256:
      return 32;
    case HashAlgorithm::Sha384:
      return 48;
    case HashAlgorithm::Sha512:
      return 64;
  }
  return 0;
}

const char* hash_name(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::Sha256:
      return "sha-256";
    case HashAlgorithm::Sha384:
      return "sha-384";
    case HashAlgorithm::Sha512:
      return "sha-512";
  }
  return "";
}

std::optional<Fingerprint> Fingerprint::from_digest(HashAlgorithm algorithm,
                                                    std::span<const uint8_t> digest) noexcept {
  if (digest.size() != digest_size(algorithm)) return std::nullopt;
  Fingerprint f;
  f.algorithm_ = algorithm;
  f.size_ = static_cast<uint8_t>(digest.size());
  std::memcpy(f.digest_.data(), digest.data(), digest.size());
  return f;
}

std::optional<Fingerprint> Fingerprint::parse(std::string_view value) noexcept {
  if (value.size() > MaxSdpValueLength) return std::nullopt;
  value = trim(value);
  // RFC 8122 5: fingerprint-attribute = hash-func SP fingerprint
  const size_t space = value.find_first_of(" \t");
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view name = value.substr(0, space);
  const std::string_view hex = trim(value.substr(space));

  std::optional<HashAlgorithm> algorithm;
  for (auto a : {HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512}) {
    if (iequals(name, hash_name(a))) algorithm = a;
  }
  if (!algorithm) return std::nullopt;

  // fingerprint = 2UHEX *(":" 2UHEX); lower case is accepted as browsers are not all strict.
  const size_t n = digest_size(*algorithm);
  if (hex.size() != n * 3 - 1) return std::nullopt;
  std::array<uint8_t, MaxDigestSize> bytes{};
  for (size_t i = 0; i < n; ++i) {
    const int hi = hex_value(hex[i * 3]);
    const int lo = hex_value(hex[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i + 1 < n && hex[i * 3 + 2] != ':') return std::nullopt;
    bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return from_digest(*algorithm, std::span<const uint8_t>(bytes.data(), n));
}

std::optional<Fingerprint> Fingerprint::of_der(HashAlgorithm algorithm,
                                               std::span<const uint8_t> der) noexcept {
  std::array<uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (der.empty() || EVP_Digest(der.data(), der.size(), md.data(), &md_len,
                                detail::evp_md(algorithm), nullptr) != 1) {
    return std::nullopt;
  }
  return from_digest(algorithm, std::span<const uint8_t>(md.data(), md_len));
}

std::string Fingerprint::to_sdp() const {
  static constexpr char Hex[] = "0123456789ABCDEF";
  std::string out = hash_name(algorithm_);
  out.push_back(' ');
  for (size_t i = 0; i < size_; ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(Hex[digest_[i] >> 4]);
    out.push_back(Hex[digest_[i] & 0x0f]);
  }
  return out;
}

bool operator==(const Fingerprint& a, const Fingerprint& b) noexcept {
  // Constant time is not needed (fingerprints are public), but CRYPTO_memcmp costs nothing.
  return a.algorithm_ == b.algorithm_ && a.size_ == b.size_ &&
         CRYPTO_memcmp(a.digest_.data(), b.digest_.data(), a.size_) == 0;
}

namespace detail {

const EVP_MD* evp_md(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::Sha256:
      return EVP_sha256();
    case HashAlgorithm::Sha384:
      return EVP_sha384();
    case HashAlgorithm::Sha512:
      return EVP_sha512();
  }
  return nullptr;
}

}  // namespace detail
}  // namespace webrtc::dtls
