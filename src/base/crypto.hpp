#pragma once
// Small hashing and randomness helpers over OpenSSL, so protocol folders never include OpenSSL.
// STUN (MESSAGE-INTEGRITY, FINGERPRINT), ICE credentials and tokens build on these.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace base {

using Sha1Digest = std::array<uint8_t, 20>;
using Sha256Digest = std::array<uint8_t, 32>;

// HMAC (RFC 2104). A failure inside OpenSSL aborts the process: a MAC that silently came out as
// zeros would let forged messages verify, and OpenSSL only fails here when it is broken.
Sha1Digest hmac_sha1(std::span<const uint8_t> key, std::span<const uint8_t> data) noexcept;
Sha256Digest hmac_sha256(std::span<const uint8_t> key, std::span<const uint8_t> data) noexcept;
// Same MAC over the concatenation of `parts`, without copying them together (STUN hashes a
// patched header followed by the message body).
Sha1Digest hmac_sha1_multi(std::span<const uint8_t> key,
                           std::initializer_list<std::span<const uint8_t>> parts) noexcept;

Sha256Digest sha256(std::span<const uint8_t> data) noexcept;

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the one STUN FINGERPRINT uses
// (RFC 8489 14.7). Pass a previous result as `crc` to continue over a further chunk.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc = 0) noexcept;

// Compares in time independent of where the inputs differ; different sizes compare unequal.
bool constant_time_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept;

// Fills `out` from OpenSSL's CSPRNG; false if the generator failed (then `out` is unspecified).
bool random_bytes(std::span<uint8_t> out) noexcept;

inline constexpr size_t MaxRandomStringSize = 1024;
inline constexpr std::string_view AlphaNumeric =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// `n` characters drawn uniformly from `alphabet` (1..256 distinct bytes). Empty if the generator
// failed, `alphabet` is empty or longer than 256, or `n` exceeds MaxRandomStringSize.
std::string random_string(size_t n, std::string_view alphabet = AlphaNumeric);

}  // namespace base
