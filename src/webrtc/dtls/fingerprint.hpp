#pragma once
// Certificate fingerprint as carried by SDP "a=fingerprint" (RFC 8122 5): "sha-256 AB:CD:...".
// WebRTC authenticates the DTLS peer only through this value (RFC 8827 6.5).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace webrtc::dtls {

enum class HashAlgorithm : uint8_t { Sha256, Sha384, Sha512 };

class Fingerprint {
 public:
  static constexpr size_t MaxDigestSize = 64;

  Fingerprint() = default;
  // Builds from a raw digest; returns nullopt if the size does not match the algorithm.
  static std::optional<Fingerprint> from_digest(HashAlgorithm algorithm,
                                                std::span<const uint8_t> digest) noexcept;
  // Parses the attribute value after "a=fingerprint:". Hash names are case-insensitive, hex
  // digits either case; sha-1 and unknown hashes are refused (RFC 8122 5 deprecates MD5/SHA-1
  // for new use, browsers send sha-256).
  static std::optional<Fingerprint> parse(std::string_view sdp_value) noexcept;
  // Digest of a DER-encoded certificate (RFC 8122 5: the hash covers the DER form).
  static std::optional<Fingerprint> of_der(HashAlgorithm algorithm,
                                           std::span<const uint8_t> der) noexcept;

  HashAlgorithm algorithm() const noexcept { return algorithm_; }
  std::span<const uint8_t> digest() const noexcept { return {digest_.data(), size_}; }
  bool empty() const noexcept { return size_ == 0; }
  // "sha-256 AB:CD:..." with upper-case hex, as browsers write it.
  std::string to_sdp() const;

  friend bool operator==(const Fingerprint& a, const Fingerprint& b) noexcept;

 private:
  HashAlgorithm algorithm_ = HashAlgorithm::Sha256;
  std::array<uint8_t, MaxDigestSize> digest_{};
  uint8_t size_ = 0;
};

size_t digest_size(HashAlgorithm algorithm) noexcept;
const char* hash_name(HashAlgorithm algorithm) noexcept;  // "sha-256", ...

}  // namespace webrtc::dtls
