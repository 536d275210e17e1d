#pragma once
// The HTTP headers that carry an auth::MessageSigner signature over a cluster request body
// (heartbeats today). The signature covers timestamp, nonce and body, so none can be swapped; the
// signer's replay cache refuses a captured request sent again.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/message_signer.hpp"

namespace cluster {

struct SignedHeaders {
  std::string timestamp;  // Unix ms, decimal
  std::string nonce;
  std::string signature;  // empty if signing failed (no randomness, body too large)
};

class SignedEnvelope {
 public:
  static constexpr std::string_view TimestampHeader = "X-AIRClass-Timestamp";
  static constexpr std::string_view NonceHeader = "X-AIRClass-Nonce";
  static constexpr std::string_view SignatureHeader = "X-AIRClass-Signature";
  // Heartbeats come every 2 s; 10 s tolerates modest clock skew between nodes while keeping the
  // replay cache small.
  static constexpr int64_t HeartbeatWindowMs = 10'000;

  // A signer whose freshness window is HeartbeatWindowMs; same secret on every node.
  static std::optional<auth::MessageSigner> make_signer(std::string secret, std::string& error);

  // Signs with a fresh CSPRNG nonce.
  static SignedHeaders sign(const auth::MessageSigner& signer, std::string_view body,
                            int64_t now_ms);
  // Same with a given nonce (8..64 of [A-Za-z0-9_-]), for tests.
  static SignedHeaders sign(const auth::MessageSigner& signer, std::string_view body,
                            int64_t now_ms, std::string_view nonce);

  // Malformed if `timestamp` is not a canonical decimal; Stale if it is more than
  // HeartbeatWindowMs from now_ms, whatever window `signer` was made with; otherwise the
  // signer's verdict (which records the nonce on Ok).
  static auth::MessageSigner::Verdict verify(auth::MessageSigner& signer, std::string_view body,
                                             std::string_view timestamp, std::string_view nonce,
                                             std::string_view signature, int64_t now_ms);

  // 1..16 ASCII digits, no sign, no leading zero (except "0"), at most
  // auth::MessageSigner::MaxTimestampMs.
  static std::optional<int64_t> parse_timestamp(std::string_view text) noexcept;
};

}  // namespace cluster
