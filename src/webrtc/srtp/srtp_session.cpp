#include "webrtc/srtp/srtp_session.hpp"

#include <openssl/crypto.h>

#include <new>

#include "webrtc/srtp/srtp_cipher_cm.hpp"
#include "webrtc/srtp/srtp_cipher_gcm.hpp"
#include "webrtc/srtp/srtp_kdf.hpp"

namespace webrtc::srtp {
namespace {

constexpr size_t RtpHeaderSize = 12;  // RFC 3550 5.1 fixed header
constexpr size_t RtcpHeaderSize = 8;  // RFC 3550 6.4.1: V/P/RC, PT, length, SSRC
constexpr size_t RtcpIndexSize = 4;   // RFC 3711 3.4: E flag || SRTCP index
constexpr size_t Aes128KeyLength = 16;
constexpr uint32_t EncryptedFlag = 0x80000000U;
constexpr uint32_t MaxSrtcpIndex = 0x7fffffffU;  // RFC 3711 3.4: 31 bits, then rekey

uint32_t read_be32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// RFC 3550 5.1 / 6.4.1: both RTP and RTCP carry version 2 in the top two bits.
bool has_version_2(std::span<const uint8_t> packet) noexcept {
  return !packet.empty() && (packet[0] >> 6) == 2;
}

// RFC 3550 5.1 and 5.3.1: fixed header, CC CSRCs, then (X bit) a 4-byte extension header and
// its length in 32-bit words. Zero when the packet is shorter than its own header says.
size_t rtp_header_length(std::span<const uint8_t> packet) noexcept {
  if (packet.size() < RtpHeaderSize) return 0;
  size_t length = RtpHeaderSize + 4 * size_t{packet[0] & 0x0fU};
  if (packet[0] & 0x10U) {
    if (packet.size() < length + 4) return 0;
    length += 4 + 4 * ((size_t{packet[length + 2]} << 8) | packet[length + 3]);
  }
  return length <= packet.size() ? length : 0;
}

// Session keys per RFC 3711 4.3 (CM) or RFC 7714 11 (GCM); label base 0 for SRTP, 3 for SRTCP.
std::unique_ptr<SrtpCipher> make_cipher(SrtpProfile profile, bool encrypt, bool rtcp,
                                        std::span<const uint8_t> master_key,
                                        std::span<const uint8_t> master_salt) noexcept {
  const auto key_label = rtcp ? SrtpKdfLabel::RtcpEncryption : SrtpKdfLabel::RtpEncryption;
  const auto auth_label = rtcp ? SrtpKdfLabel::RtcpAuthentication : SrtpKdfLabel::RtpAuthentication;
  const auto salt_label = rtcp ? SrtpKdfLabel::RtcpSalt : SrtpKdfLabel::RtpSalt;
  std::array<uint8_t, Aes128KeyLength> key{};
  std::array<uint8_t, SrtpCipherCm::SaltLength> salt{};
  std::array<uint8_t, SrtpCipherCm::AuthKeyLength> auth{};
  const bool gcm = profile == SrtpProfile::AeadAes128Gcm;
  const auto salt_span = std::span(salt).first(gcm ? SrtpCipherGcm::SaltLength : salt.size());
  std::unique_ptr<SrtpCipher> cipher;
  if (srtp_kdf(master_key, master_salt, key_label, key) &&
      srtp_kdf(master_key, master_salt, salt_label, salt_span)) {
    if (gcm) {
      cipher = SrtpCipherGcm::create(key, salt_span, encrypt);
    } else if (srtp_kdf(master_key, master_salt, auth_label, auth)) {
      cipher = SrtpCipherCm::create(key, salt, auth);
    }
  }
  OPENSSL_cleanse(key.data(), key.size());
  OPENSSL_cleanse(salt.data(), salt.size());
  OPENSSL_cleanse(auth.data(), auth.size());
  return cipher;
}

}  // namespace

std::optional<SrtpProfile> srtp_profile_from_id(uint16_t id) noexcept {
  switch (id) {
    case static_cast<uint16_t>(SrtpProfile::Aes128CmHmacSha1_80):
      return SrtpProfile::Aes128CmHmacSha1_80;
    case static_cast<uint16_t>(SrtpProfile::AeadAes128Gcm):
      return SrtpProfile::AeadAes128Gcm;
    default:
      return std::nullopt;
  }
}

size_t srtp_master_key_length(SrtpProfile) noexcept {
  return Aes128KeyLength;
}

size_t srtp_master_salt_length(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::AeadAes128Gcm ? SrtpCipherGcm::SaltLength
                                               : SrtpCipherCm::SaltLength;
}

size_t SrtpSession::rtp_trailer() const noexcept {
  return profile_ == SrtpProfile::AeadAes128Gcm ? SrtpCipherGcm::TagLength
                                                : SrtpCipherCm::TagLength;
}

SrtpSession::SrtpSession(SrtpProfile profile, SrtpDirection direction) noexcept
    : profile_(profile), direction_(direction) {}

SrtpSession::~SrtpSession() = default;

std::unique_ptr<SrtpSession> SrtpSession::create(SrtpProfile profile, SrtpDirection direction,
                                                 std::span<const uint8_t> master_key,
                                                 std::span<const uint8_t> master_salt) noexcept {
  if (!srtp_profile_from_id(static_cast<uint16_t>(profile))) return nullptr;
  if (master_key.size() != srtp_master_key_length(profile) ||
      master_salt.size() != srtp_master_salt_length(profile)) {
    return nullptr;
  }
  std::unique_ptr<SrtpSession> session(new (std::nothrow) SrtpSession(profile, direction));
  if (!session) return nullptr;
  const bool encrypt = direction == SrtpDirection::Outbound;
  session->rtp_cipher_ = make_cipher(profile, encrypt, false, master_key, master_salt);
  session->rtcp_cipher_ = make_cipher(profile, encrypt, true, master_key, master_salt);
  if (!session->rtp_cipher_ || !session->rtcp_cipher_) return nullptr;
  return session;
}

SrtpSession::Stream* SrtpSession::StreamTable::find(uint32_t ssrc) noexcept {
  for (size_t i = 0; i < count; ++i) {
    if (slots[i].ssrc == ssrc) return &slots[i];
  }
  return nullptr;
}

SrtpSession::Stream* SrtpSession::stream_for(StreamTable& table, uint32_t ssrc,
                                             Stream& scratch) noexcept {
  if (Stream* stream = table.find(ssrc)) return stream;
  if (table.count == table.slots.size()) return nullptr;
  scratch = Stream{};
  scratch.ssrc = ssrc;
  return &scratch;
}

void SrtpSession::commit(StreamTable& table, Stream* stream, const Stream& scratch,
                         uint64_t index) noexcept {
  if (stream == &scratch) {
    table.slots[table.count] = scratch;
    stream = &table.slots[table.count++];
  }
  stream->window.accept(index);
}

std::optional<size_t> SrtpSession::fail(uint64_t& counter) noexcept {
  ++counter;
  return std::nullopt;
}

// Checks shared by all four operations: protect writes the trailer past len (RFC 3711 3.1 /
// 3.4), unprotect needs at least a header and the trailer.
bool SrtpSession::ready(bool protect, std::span<uint8_t> buffer, size_t len,
                        size_t min_len) noexcept {
  const bool direction_ok = protect == (direction_ == SrtpDirection::Outbound);
  return direction_ok && len >= min_len && len <= buffer.size() && len <= MaxPacketSize &&
         has_version_2(buffer.first(len));
}

std::optional<size_t> SrtpSession::protect_rtp(std::span<uint8_t> buffer, size_t len) noexcept {
  const size_t tag = rtp_trailer();
  if (!ready(true, buffer, len, RtpHeaderSize) || buffer.size() - len < tag) {
    return fail(errors_.other);
  }
  const size_t header = rtp_header_length(buffer.first(len));
  if (header == 0) return fail(errors_.other);
  Stream scratch;
  Stream* stream = stream_for(rtp_streams_, read_be32(&buffer[8]), scratch);
  if (!stream) return fail(errors_.other);
  // No replay check outbound: NACK retransmissions reuse their index (same keystream, same
  // bytes), which is the one repetition RFC 3711 9.2 tolerates.
  const uint64_t index = estimate_rtp_index(stream->window, uint16_t((buffer[2] << 8) | buffer[3]));
  if (!rtp_cipher_->protect_rtp(buffer.first(len + tag), header, stream->ssrc, index)) {
    return fail(errors_.other);
  }
  commit(rtp_streams_, stream, scratch, index);
  return len + tag;
}

std::optional<size_t> SrtpSession::unprotect_rtp(std::span<uint8_t> buffer, size_t len) noexcept {
  const size_t tag = rtp_trailer();
  if (!ready(false, buffer, len, RtpHeaderSize + tag)) return fail(errors_.other);
  const size_t header = rtp_header_length(buffer.first(len - tag));
  if (header == 0) return fail(errors_.other);
  Stream scratch;
  Stream* stream = stream_for(rtp_streams_, read_be32(&buffer[8]), scratch);
  if (!stream) return fail(errors_.other);
  // RFC 3711 3.3 steps 2-5: estimate the index, replay check, then authenticate; the ROC and
  // the window move only for authentic packets.
  const uint64_t index = estimate_rtp_index(stream->window, uint16_t((buffer[2] << 8) | buffer[3]));
  if (stream->window.is_replay(index)) return fail(errors_.replay);
  if (!rtp_cipher_->unprotect_rtp(buffer.first(len), header, stream->ssrc, index)) {
    return fail(errors_.auth_fail);
  }
  commit(rtp_streams_, stream, scratch, index);
  return len - tag;
}

std::optional<size_t> SrtpSession::protect_rtcp(std::span<uint8_t> buffer, size_t len) noexcept {
  const size_t trailer = rtcp_trailer();
  if (!ready(true, buffer, len, RtcpHeaderSize) || buffer.size() - len < trailer) {
    return fail(errors_.other);
  }
  Stream scratch;
  Stream* stream = stream_for(rtcp_streams_, read_be32(&buffer[4]), scratch);
  if (!stream) return fail(errors_.other);
  // The first SRTCP index is 1, as libsrtp sends it; past 2^31 - 1 the keys must change.
  const uint64_t last = stream->window.started() ? stream->window.highest() : 0;
  if (last >= MaxSrtcpIndex) return fail(errors_.other);
  const auto index = static_cast<uint32_t>(last + 1);
  if (!rtcp_cipher_->protect_rtcp(buffer.first(len + trailer), stream->ssrc, index)) {
    return fail(errors_.other);
  }
  commit(rtcp_streams_, stream, scratch, index);
  return len + trailer;
}

std::optional<size_t> SrtpSession::unprotect_rtcp(std::span<uint8_t> buffer, size_t len) noexcept {
  const size_t trailer = rtcp_trailer();
  if (!ready(false, buffer, len, RtcpHeaderSize + trailer)) return fail(errors_.other);
  // RFC 7714 17 puts E||index after the tag, RFC 3711 3.4 before it.
  const size_t at = profile_ == SrtpProfile::AeadAes128Gcm ? len - RtcpIndexSize : len - trailer;
  const uint32_t e_index = read_be32(&buffer[at]);
  const uint32_t index = e_index & MaxSrtcpIndex;
  Stream scratch;
  Stream* stream = stream_for(rtcp_streams_, read_be32(&buffer[4]), scratch);
  if (!stream) return fail(errors_.other);
  if (stream->window.is_replay(index)) return fail(errors_.replay);
  if (!rtcp_cipher_->unprotect_rtcp(buffer.first(len), stream->ssrc, index,
                                    (e_index & EncryptedFlag) != 0)) {
    return fail(errors_.auth_fail);
  }
  commit(rtcp_streams_, stream, scratch, index);
  return len - trailer;
}

}  // namespace webrtc::srtp
