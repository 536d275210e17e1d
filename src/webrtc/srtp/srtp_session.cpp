#include "webrtc/srtp/srtp_session.hpp"

#include <srtp2/srtp.h>

#include <string.h>
#include <array>
#include <climits>
#include <cstring>
#include <mutex>

namespace webrtc::srtp {
namespace {

constexpr size_t RtpHeaderSize = 12;  // RFC 3550 5.1 fixed header
constexpr size_t RtcpHeaderSize = 8;  // RFC 3550 6.4.1: V/P/RC, PT, length, SSRC
constexpr size_t Aes128KeyLength = 16;
constexpr size_t CmSaltLength = 14;   // RFC 3711 8.2: 112-bit master salt
constexpr size_t GcmSaltLength = 12;  // RFC 7714 12: 96-bit master salt
constexpr size_t CmTagLength = 10;    // HMAC-SHA1-80
constexpr size_t GcmTagLength = 16;

// libsrtp keeps process-wide crypto-kernel state; srtp_init must run exactly once and is never
// undone (srtp_shutdown would pull the kernel from under live sessions on other threads).
bool ensure_srtp_init() noexcept {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = srtp_init() == srtp_err_status_ok; });
  return ok;
}

// RFC 3550 5.1 / 6.4.1: both RTP and RTCP carry version 2 in the top two bits.
bool has_version_2(std::span<const uint8_t> packet) noexcept {
  return !packet.empty() && (packet[0] >> 6) == 2;
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
  return profile == SrtpProfile::AeadAes128Gcm ? GcmSaltLength : CmSaltLength;
}

size_t SrtpSession::rtp_trailer() const noexcept {
  return profile_ == SrtpProfile::AeadAes128Gcm ? GcmTagLength : CmTagLength;
}

std::unique_ptr<SrtpSession> SrtpSession::create(SrtpProfile profile, SrtpDirection direction,
                                                 std::span<const uint8_t> master_key,
                                                 std::span<const uint8_t> master_salt) noexcept {
  if (!srtp_profile_from_id(static_cast<uint16_t>(profile))) return nullptr;
  if (master_key.size() != srtp_master_key_length(profile) ||
      master_salt.size() != srtp_master_salt_length(profile)) {
    return nullptr;
  }
  if (!ensure_srtp_init()) return nullptr;

  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  if (profile == SrtpProfile::AeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  // Key sharing across SSRCs: one viewer gets video, audio and RTX under the same keys.
  policy.ssrc.type = direction == SrtpDirection::Outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.window_size = ReplayWindow;
  policy.allow_repeat_tx = direction == SrtpDirection::Outbound ? 1 : 0;

  // libsrtp wants key || salt in one buffer; it derives session keys during srtp_create and
  // keeps no pointer to this copy, which is wiped afterwards.
  std::array<uint8_t, Aes128KeyLength + CmSaltLength> key_and_salt{};
  std::memcpy(key_and_salt.data(), master_key.data(), master_key.size());
  std::memcpy(key_and_salt.data() + master_key.size(), master_salt.data(), master_salt.size());
  policy.key = key_and_salt.data();

  srtp_t ctx = nullptr;
  const srtp_err_status_t status = srtp_create(&ctx, &policy);
  explicit_bzero(key_and_salt.data(), key_and_salt.size());
  if (status != srtp_err_status_ok) {
    if (ctx) srtp_dealloc(ctx);
    return nullptr;
  }
  auto* session = new (std::nothrow) SrtpSession(ctx, profile, direction);
  if (!session) srtp_dealloc(ctx);
  return std::unique_ptr<SrtpSession>(session);
}

SrtpSession::~SrtpSession() {
  srtp_dealloc(ctx_);
}

std::optional<size_t> SrtpSession::protect_rtp(std::span<uint8_t> buffer, size_t len) noexcept {
  return run(Op::ProtectRtp, buffer, len);
}

std::optional<size_t> SrtpSession::protect_rtcp(std::span<uint8_t> buffer, size_t len) noexcept {
  return run(Op::ProtectRtcp, buffer, len);
}

std::optional<size_t> SrtpSession::unprotect_rtp(std::span<uint8_t> buffer, size_t len) noexcept {
  return run(Op::UnprotectRtp, buffer, len);
}

std::optional<size_t> SrtpSession::unprotect_rtcp(std::span<uint8_t> buffer, size_t len) noexcept {
  return run(Op::UnprotectRtcp, buffer, len);
}

std::optional<size_t> SrtpSession::run(Op op, std::span<uint8_t> buffer, size_t len) noexcept {
  const bool protect = op == Op::ProtectRtp || op == Op::ProtectRtcp;
  const bool rtcp = op == Op::ProtectRtcp || op == Op::UnprotectRtcp;
  const size_t trailer = rtcp ? rtcp_trailer() : rtp_trailer();
  const size_t header = rtcp ? RtcpHeaderSize : RtpHeaderSize;
  // Lengths are checked here rather than trusting libsrtp: protect writes the trailer past len
  // (RFC 3711 3.1 / 3.4), unprotect needs at least header + trailer to find the tag.
  const size_t min_len = protect ? header : header + trailer;
  const bool direction_ok = protect == (direction_ == SrtpDirection::Outbound);
  if (!direction_ok || len < min_len || len > buffer.size() || len > MaxPacketSize ||
      (protect && buffer.size() - len < trailer) || !has_version_2(buffer.first(len))) {
    ++errors_.other;
    return std::nullopt;
  }

  int n = static_cast<int>(len);
  srtp_err_status_t status = srtp_err_status_fail;
  switch (op) {
    case Op::ProtectRtp:
      status = srtp_protect(ctx_, buffer.data(), &n);
      break;
    case Op::ProtectRtcp:
      status = srtp_protect_rtcp(ctx_, buffer.data(), &n);
      break;
    case Op::UnprotectRtp:
      status = srtp_unprotect(ctx_, buffer.data(), &n);
      break;
    case Op::UnprotectRtcp:
      status = srtp_unprotect_rtcp(ctx_, buffer.data(), &n);
      break;
  }
  switch (status) {
    case srtp_err_status_ok:
      if (n < 0 || static_cast<size_t>(n) > buffer.size()) break;
      return static_cast<size_t>(n);
    case srtp_err_status_auth_fail:
      ++errors_.auth_fail;
      return std::nullopt;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      ++errors_.replay;
      return std::nullopt;
    default:
      break;
  }
  ++errors_.other;
  return std::nullopt;
}

}  // namespace webrtc::srtp
