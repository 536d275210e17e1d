#pragma once
// Time-limited TURN credentials for browsers, in the shared-secret scheme coturn implements as
// `use-auth-secret` / `static-auth-secret` (draft-uberti-behave-turn-rest-00, the REST API
// RFC 7635 grew out of): the token API mints them, the TURN server checks them with the same
// secret and no call back to us.
//
//   username   = "<expiry as Unix seconds>:<user id>"
//   credential = base64(HMAC-SHA1(secret, username))   (RFC 4648 4, with padding)
//
// The TURN server refuses the pair once the expiry has passed. Pure: `now` is passed in.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auth {

struct TurnCredentials {
  std::string username;    // the ICE server's "username"
  std::string credential;  // the ICE server's "credential" (the TURN password)
  int64_t expires = 0;     // Unix seconds, the number at the start of `username`
};

inline constexpr size_t MaxTurnSecretSize = 1024;
inline constexpr size_t MaxTurnUserIdSize = 128;  // a token subject's bound (MaxSubjectSize)
inline constexpr std::chrono::seconds MinTurnTtl{1};
inline constexpr std::chrono::seconds MaxTurnTtl{7 * 24 * 3600};

// Credentials valid from `now_unix` for `ttl`. Empty optional and the reason in `error` (never
// the secret) if the secret is empty or longer than MaxTurnSecretSize, the user id is empty,
// longer than MaxTurnUserIdSize or holds an ASCII control character, ttl is outside
// MinTurnTtl..MaxTurnTtl, or now_unix is negative or beyond auth::MaxTimestamp.
//
// A ':' in the user id is percent-encoded ("%3A", and '%' itself as "%25") rather than refused:
// token subjects may contain ':' and the token API should not fail for them, while a raw ':'
// would make "<expiry>:<user id>" ambiguous to TURN servers that split on every separator.
// The encoding is injective, so two user ids never share a TURN username, and it stays readable
// in the TURN server's logs. The longest username is 10 + 1 + 3 * 128 bytes, well under STUN's
// 509-byte USERNAME limit (RFC 8489 14.3).
std::optional<TurnCredentials> mint_turn_credentials(std::string_view secret,
                                                     std::string_view user_id,
                                                     std::chrono::seconds ttl, int64_t now_unix,
                                                     std::string& error);

// base64(HMAC-SHA1(secret, username)): what the TURN server computes to check a username.
std::string turn_rest_credential(std::string_view secret, std::string_view username);

}  // namespace auth
