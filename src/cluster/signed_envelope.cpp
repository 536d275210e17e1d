#include "cluster/signed_envelope.hpp"

namespace cluster {

using Verdict = auth::MessageSigner::Verdict;

std::optional<auth::MessageSigner> SignedEnvelope::make_signer(std::string secret,
                                                               std::string& error) {
  auth::MessageSigner::Config config;
  config.window_ms = HeartbeatWindowMs;
  return auth::MessageSigner::create(std::move(secret), config, error);
}

SignedHeaders SignedEnvelope::sign(const auth::MessageSigner& signer, std::string_view body,
                                   int64_t now_ms) {
  const std::string nonce = auth::MessageSigner::make_nonce();
  if (nonce.empty()) return {};
  return sign(signer, body, now_ms, nonce);
}

SignedHeaders SignedEnvelope::sign(const auth::MessageSigner& signer, std::string_view body,
                                   int64_t now_ms, std::string_view nonce) {
  SignedHeaders out;
  out.signature = signer.sign(body, now_ms, nonce);
  if (out.signature.empty()) return {};
  out.timestamp = std::to_string(now_ms);
  out.nonce = std::string(nonce);
  return out;
}

Verdict SignedEnvelope::verify(auth::MessageSigner& signer, std::string_view body,
                               std::string_view timestamp, std::string_view nonce,
                               std::string_view signature, int64_t now_ms) {
  const auto ts = parse_timestamp(timestamp);
  if (!ts) return Verdict::Malformed;
  // Checked before the signer so that a signer configured with a wider window still enforces
  // the heartbeat window; a stale message never reaches the replay cache either way.
  if (*ts < now_ms - HeartbeatWindowMs || *ts > now_ms + HeartbeatWindowMs) return Verdict::Stale;
  return signer.verify(body, *ts, nonce, signature, now_ms);
}

std::optional<int64_t> SignedEnvelope::parse_timestamp(std::string_view text) noexcept {
  if (text.empty() || text.size() > 16) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');  // 16 digits < 2^63: no overflow
  }
  if (value > auth::MessageSigner::MaxTimestampMs) return std::nullopt;
  return value;
}

}  // namespace cluster
