#include "auth/message_signer.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "auth/base64url.hpp"
#include "base/crypto.hpp"

// Why the replay cache never lets a replay through, even when it evicts:
// every accepted (timestamp, nonce) stays in the cache until it is removed, and every removal
// (expiry or eviction) first raises floor_ms_ to the removed timestamp. A replay carries the same
// timestamp, since the signature covers it, so it finds its nonce in the cache (Replayed) or has
// timestamp <= floor_ms_ (Stale). This also holds if the injected clock steps backwards. The
// price of eviction under a flood of authenticated messages is that messages not newer than the
// evicted one are refused: availability, never safety. Only authenticated messages enter.

namespace auth {
namespace {

constexpr std::string_view Domain = "airclass-msg-v1\n";

bool nonce_ok(std::string_view nonce) noexcept {
  if (nonce.size() < 8 || nonce.size() > 64) return false;
  for (char c : nonce) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<base::Sha256Digest> parse_hex(std::string_view hex) noexcept {
  base::Sha256Digest out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::span<const uint8_t> bytes_of(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

base::Sha256Digest mac(std::string_view secret, std::string_view body, int64_t timestamp_ms,
                       std::string_view nonce) {
  std::string canonical;
  canonical.reserve(Domain.size() + 24 + nonce.size() + body.size());
  canonical.append(Domain).append(std::to_string(timestamp_ms)).append("\n");
  canonical.append(nonce).append("\n").append(body);
  return base::hmac_sha256(bytes_of(secret), bytes_of(canonical));
}

bool shape_ok(std::string_view body, int64_t timestamp_ms, std::string_view nonce) noexcept {
  return nonce_ok(nonce) && body.size() <= MessageSigner::MaxBodySize && timestamp_ms >= 0 &&
         timestamp_ms <= MessageSigner::MaxTimestampMs;
}

}  // namespace

std::string_view to_string(MessageSigner::Verdict verdict) noexcept {
  using V = MessageSigner::Verdict;
  switch (verdict) {
    case V::Ok:
      return "ok";
    case V::Malformed:
      return "malformed signed message";
    case V::BadSignature:
      return "bad message signature";
    case V::Stale:
      return "message outside freshness window";
    case V::Replayed:
      return "message replayed";
  }
  return "invalid message";
}

std::optional<MessageSigner> MessageSigner::create(std::string secret, Config config,
                                                   std::string& error) {
  error.clear();
  if (secret.size() < MinSecretSize)
    error = "message signing secret must be at least 32 bytes";
  else if (config.window_ms < 1'000 || config.window_ms > 600'000)
    error = "freshness window must be 1000..600000 ms";
  else if (config.max_nonces < 1)
    error = "replay cache must hold at least one nonce";
  if (!error.empty()) return std::nullopt;
  return MessageSigner(std::move(secret), config);
}

std::string MessageSigner::sign(std::string_view body, int64_t timestamp_ms,
                                std::string_view nonce) const {
  if (!shape_ok(body, timestamp_ms, nonce)) return {};
  constexpr std::string_view Hex = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : mac(secret_, body, timestamp_ms, nonce)) {
    out.push_back(Hex[b >> 4]);
    out.push_back(Hex[b & 0xf]);
  }
  return out;
}

MessageSigner::Verdict MessageSigner::verify(std::string_view body, int64_t timestamp_ms,
                                             std::string_view nonce, std::string_view signature_hex,
                                             int64_t now_ms) {
  const auto presented = parse_hex(signature_hex);
  if (!presented || !shape_ok(body, timestamp_ms, nonce)) return Verdict::Malformed;
  if (!base::constant_time_equal(*presented, mac(secret_, body, timestamp_ms, nonce)))
    return Verdict::BadSignature;
  if (now_ms < 0 || now_ms > MaxTimestampMs) return Verdict::Stale;
  if (timestamp_ms < now_ms - config_.window_ms || timestamp_ms > now_ms + config_.window_ms)
    return Verdict::Stale;
  forget_older_than(now_ms - config_.window_ms);
  if (timestamp_ms <= floor_ms_) return Verdict::Stale;
  if (seen_.contains(nonce)) return Verdict::Replayed;
  if (seen_.size() >= config_.max_nonces) {
    // Evicting an entry newer than this message would be needed to admit it; refuse instead.
    if (timestamp_ms <= by_time_.begin()->first) return Verdict::Stale;
    forget_oldest();
  }
  const auto it = by_time_.emplace(timestamp_ms, std::string(nonce)).first;
  seen_.insert(it->second);
  return Verdict::Ok;
}

void MessageSigner::forget_older_than(int64_t limit_ms) {
  while (!by_time_.empty() && by_time_.begin()->first < limit_ms)
    forget_oldest();
}

void MessageSigner::forget_oldest() {
  const auto it = by_time_.begin();
  floor_ms_ = std::max(floor_ms_, it->first);
  seen_.erase(std::string_view(it->second));
  by_time_.erase(it);
}

std::string MessageSigner::make_nonce() {
  std::array<uint8_t, 16> bytes{};
  if (!base::random_bytes(bytes)) return {};
  return base64url_encode(bytes);
}

}  // namespace auth
