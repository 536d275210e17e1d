#pragma once
// RFC 3711 4.3 key derivation: session keys and salts from the DTLS-SRTP master key and salt.
#include <cstddef>
#include <cstdint>
#include <span>

namespace webrtc::srtp {

// RFC 3711 4.3.1/4.3.2 labels; 0..2 are SRTP, 3..5 SRTCP.
enum class SrtpKdfLabel : uint8_t {
  RtpEncryption = 0x00,
  RtpAuthentication = 0x01,
  RtpSalt = 0x02,
  RtcpEncryption = 0x03,
  RtcpAuthentication = 0x04,
  RtcpSalt = 0x05,
};

// AES-CM PRF with key_derivation_rate 0 (RFC 3711 4.3.3): out = keystream of AES-128-CTR under
// master_key at IV ((label << 48) XOR master_salt) * 2^16. A 12-byte GCM salt is zero-padded
// on the right to 112 bits (RFC 7714 11). False on bad lengths (key 16, salt <= 14, out <= 256).
bool srtp_kdf(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt,
              SrtpKdfLabel label, std::span<uint8_t> out) noexcept;

}  // namespace webrtc::srtp
