#pragma once
// HMAC-SHA256 signatures for cluster messages (heartbeats, load reports) with a freshness window
// and a replay cache, so a captured heartbeat cannot be sent again to fake a live node.
// Pure: timestamps and `now` are Unix milliseconds passed in. verify() updates the replay cache,
// so one MessageSigner belongs to one strand.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace auth {

class MessageSigner {
 public:
  struct Config {
    int64_t window_ms = 30'000;   // accepted |now - timestamp|, 1 s .. 10 min
    size_t max_nonces = 100'000;  // replay-cache bound, >= 1
  };

  enum class Verdict : uint8_t {
    Ok,
    Malformed,     // nonce not 8..64 of [A-Za-z0-9_-], signature not 64 hex digits, body > 64 KiB
    BadSignature,  // wrong secret, or body, timestamp or nonce altered
    Stale,         // outside the window, or not newer than what the cache had to forget
    Replayed,      // nonce already accepted within the window
  };

  static constexpr size_t MinSecretSize = 32;
  static constexpr size_t MaxBodySize = 64 * 1024;
  static constexpr int64_t MaxTimestampMs = int64_t{1} << 50;

  // Empty optional and the reason in `error` (never the secret) if the secret is shorter than
  // MinSecretSize or the config is out of range.
  static std::optional<MessageSigner> create(std::string secret, Config config, std::string& error);
  static std::optional<MessageSigner> create(std::string secret, std::string& error) {
    return create(std::move(secret), Config{}, error);
  }

  // 64 lowercase hex digits of HMAC-SHA256(secret, "airclass-msg-v1\n<timestamp_ms>\n<nonce>\n
  // <body>"). The nonce alphabet has no '\n' and the body comes last, so the string is
  // unambiguous. Empty if the nonce, timestamp or body is invalid.
  std::string sign(std::string_view body, int64_t timestamp_ms, std::string_view nonce) const;

  // Checks in this order: shape, signature (constant time), freshness, replay. Only a message
  // that passes all of them enters the replay cache, so unauthenticated traffic cannot fill it.
  Verdict verify(std::string_view body, int64_t timestamp_ms, std::string_view nonce,
                 std::string_view signature_hex, int64_t now_ms);

  // 16 CSPRNG bytes as 22 base64url characters; empty if the generator failed.
  static std::string make_nonce();

  size_t cached_nonces() const noexcept { return seen_.size(); }

  MessageSigner(MessageSigner&&) = default;
  MessageSigner& operator=(MessageSigner&&) = default;
  // seen_ points into by_time_'s nodes; a copy would point into the original.
  MessageSigner(const MessageSigner&) = delete;
  MessageSigner& operator=(const MessageSigner&) = delete;

 private:
  MessageSigner(std::string secret, Config config) : secret_(std::move(secret)), config_(config) {}

  void forget_older_than(int64_t limit_ms);
  void forget_oldest();

  std::string secret_;
  Config config_;
  // Accepted (timestamp, nonce), oldest first, and the same nonces for lookup. Node-based
  // containers: the views in seen_ stay valid until their element of by_time_ is erased.
  std::set<std::pair<int64_t, std::string>> by_time_;
  std::unordered_set<std::string_view> seen_;
  // Highest timestamp of any entry the cache has dropped; messages at or below it are Stale.
  int64_t floor_ms_ = -1;
};

std::string_view to_string(MessageSigner::Verdict verdict) noexcept;

}  // namespace auth
