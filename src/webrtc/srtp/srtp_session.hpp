#pragma once
// One direction of SRTP/SRTCP keyed from DTLS-SRTP (RFC 5764), protecting or unprotecting in
// place; our own implementation of RFC 3711 and RFC 7714 on OpenSSL (no libsrtp). A session is
// not thread-safe: it belongs to one peer session's strand. The data path never throws, never
// allocates and never locks; failures are counted by kind.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "webrtc/srtp/srtp_replay_window.hpp"

namespace webrtc::srtp {

class SrtpCipher;

// RFC 5764 4.1.2 and RFC 7714 14.2 protection profile ids; DtlsTransport reports the same
// numbers, so the integrator maps between the two folders with srtp_profile_from_id().
enum class SrtpProfile : uint16_t {
  Aes128CmHmacSha1_80 = 0x0001,
  AeadAes128Gcm = 0x0007,
};

std::optional<SrtpProfile> srtp_profile_from_id(uint16_t id) noexcept;
size_t srtp_master_key_length(SrtpProfile profile) noexcept;   // 16 for both
size_t srtp_master_salt_length(SrtpProfile profile) noexcept;  // CM 14, GCM 12

enum class SrtpDirection : uint8_t { Outbound, Inbound };

struct SrtpErrorCounts {
  uint64_t auth_fail = 0;  // tag mismatch: tampered, wrong key, or not ours
  uint64_t replay = 0;     // duplicate or older than the replay window
  uint64_t other = 0;      // malformed, too short, no room for the trailer, wrong direction
};

class SrtpSession {
 public:
  // Bytes added by protect: the auth tag (CM 10, GCM 16); SRTCP also adds the 4-byte E+index.
  static constexpr size_t MaxRtpTrailer = 16;
  static constexpr size_t MaxRtcpTrailer = 20;
  // Largest packet accepted, so every length fits OpenSSL's int and a UDP datagram.
  static constexpr size_t MaxPacketSize = 65535 - MaxRtcpTrailer;
  // RTP retransmissions (NACK, RFC 4585) arrive late; 1024 packets is ~1 s at 8 Mbit/s.
  static constexpr unsigned long ReplayWindow = 1024;
  // SSRCs tracked per session and per RTP/RTCP (video, RTX, audio and their RTCP senders fit);
  // packets of a further SSRC are refused and counted in errors().other.
  static constexpr size_t MaxSsrcs = 8;

  // Returns nullptr if key/salt lengths do not match the profile or OpenSSL fails.
  // Outbound sessions allow repeated sequence numbers (NACK retransmissions resend them).
  static std::unique_ptr<SrtpSession> create(SrtpProfile profile, SrtpDirection direction,
                                             std::span<const uint8_t> master_key,
                                             std::span<const uint8_t> master_salt) noexcept;
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // In place: buffer[0, len) is the packet, buffer.size() - len must be at least the trailer.
  // Returns the new length, or nullopt (counted) on failure.
  std::optional<size_t> protect_rtp(std::span<uint8_t> buffer, size_t len) noexcept;
  std::optional<size_t> protect_rtcp(std::span<uint8_t> buffer, size_t len) noexcept;
  std::optional<size_t> unprotect_rtp(std::span<uint8_t> buffer, size_t len) noexcept;
  std::optional<size_t> unprotect_rtcp(std::span<uint8_t> buffer, size_t len) noexcept;

  SrtpProfile profile() const noexcept { return profile_; }
  SrtpDirection direction() const noexcept { return direction_; }
  size_t rtp_trailer() const noexcept;
  size_t rtcp_trailer() const noexcept { return rtp_trailer() + 4; }  // RFC 3711 3.4
  const SrtpErrorCounts& errors() const noexcept { return errors_; }

 private:
  SrtpSession(SrtpProfile profile, SrtpDirection direction) noexcept;

  // Per-SSRC state: the highest index and replay bitmap (RFC 3711 3.3.1, 3.3.2). Outbound it
  // holds the highest index sent (RTP) or the last SRTCP index used.
  struct Stream {
    uint32_t ssrc = 0;
    SrtpReplayWindow window;
  };
  struct StreamTable {
    std::array<Stream, MaxSsrcs> slots;
    size_t count = 0;
    Stream* find(uint32_t ssrc) noexcept;
  };

  bool ready(bool protect, std::span<uint8_t> buffer, size_t len, size_t min_len) noexcept;
  // A stream by SSRC; a new one only once the packet is authentic (inbound) so that forged
  // SSRCs cannot fill the table. Null (counted) when the table is full.
  Stream* stream_for(StreamTable& table, uint32_t ssrc, Stream& scratch) noexcept;
  void commit(StreamTable& table, Stream* stream, const Stream& scratch, uint64_t index) noexcept;
  std::optional<size_t> fail(uint64_t& counter) noexcept;

  std::unique_ptr<SrtpCipher> rtp_cipher_;
  std::unique_ptr<SrtpCipher> rtcp_cipher_;
  SrtpProfile profile_;
  SrtpDirection direction_;
  SrtpErrorCounts errors_;
  StreamTable rtp_streams_;
  StreamTable rtcp_streams_;
};

}  // namespace webrtc::srtp
