#pragma once
// One set of SRTP or SRTCP session keys and the packet transform of one protection profile
// (RFC 3711 4 for AES-CM + HMAC-SHA1, RFC 7714 for AES-GCM). Callers have already checked
// every length, parsed the header and chosen the index; a cipher only transforms bytes, in
// place, without allocating. Not thread-safe: it keeps pre-keyed OpenSSL contexts.
#include <cstddef>
#include <cstdint>
#include <span>

namespace webrtc::srtp {

// The SRTCP layout both profiles share (RFC 3711 3.4, RFC 7714 9.1): the 8-byte header stays in
// clear, then E flag || 31-bit SRTCP index after the (encrypted) rest.
inline constexpr size_t SrtcpHeaderSize = 8;
inline constexpr size_t SrtcpIndexSize = 4;
inline constexpr uint32_t SrtcpEncryptedFlag = 0x80000000U;

inline void put_be32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

class SrtpCipher {
 public:
  virtual ~SrtpCipher() = default;

  // Bytes of authentication tag (CM 10, GCM 16).
  virtual size_t tag_length() const noexcept = 0;

  // SRTP (RFC 3711 3.1): packet = header (header_length bytes) || payload || tag room;
  // encrypts the payload and writes the tag into the last tag_length() bytes.
  virtual bool protect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                           uint64_t index) noexcept = 0;
  // packet = header || encrypted payload || tag; false when the tag does not verify.
  virtual bool unprotect_rtp(std::span<uint8_t> packet, size_t header_length, uint32_t ssrc,
                             uint64_t index) noexcept = 0;

  // SRTCP (RFC 3711 3.4): packet = plain RTCP || room for tag and E||index (4 bytes).
  virtual bool protect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index) noexcept = 0;
  // packet = the whole SRTCP packet; E||index already read by the caller from its place.
  virtual bool unprotect_rtcp(std::span<uint8_t> packet, uint32_t ssrc, uint32_t index,
                              bool encrypted) noexcept = 0;

 protected:
  SrtpCipher() = default;
  SrtpCipher(const SrtpCipher&) = delete;
  SrtpCipher& operator=(const SrtpCipher&) = delete;
};

}  // namespace webrtc::srtp
