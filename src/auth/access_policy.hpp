#pragma once
// Who may enter where, decided in one place for every way in: WHEP playback (a read token from
// ?jwt= or Authorization: Bearer), RTMP publish (a publish token or the publish password) and
// RTMP play (loopback, or a read token: sub nodes pull this way). Pure: `now` is passed in.
// Reasons are fixed texts or name only the stream path, never a token, password or key.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/authorization.hpp"
#include "auth/passcode.hpp"
#include "auth/token_verifier.hpp"

namespace auth {

struct AccessResult {
  Decision decision = Decision::Unauthorized;
  std::string reason;                         // for the client and the log; empty when Ok
  std::optional<TokenClaims> claims;          // who, when a token was accepted
  TokenError token_error = TokenError::None;  // why a presented token was not accepted
  bool ok() const noexcept { return decision == Decision::Ok; }
};

class AccessPolicy {
 public:
  AccessPolicy(TokenVerifier verifier, Passcode publish_password, std::string node_id = {});

  // A token for `action` on `path`. `how` names where a token goes, for the missing-token reason.
  AccessResult check_token(std::string_view token, std::string_view path, Action action,
                           int64_t now_s, std::string_view how = "?jwt=<token>") const;
  // WHEP: the query's jwt wins over the header when both are present.
  AccessResult check_whep(std::string_view path, std::string_view query_jwt,
                          std::string_view authorization_header, int64_t now_s) const;
  // The phone app sends ?pwd=; tools may send a publish token as ?jwt=.
  AccessResult check_rtmp_publish(std::string_view path, const std::optional<std::string>& jwt,
                                  const std::optional<std::string>& pwd, int64_t now_s) const;
  AccessResult check_rtmp_play(std::string_view path, const std::optional<std::string>& jwt,
                               bool from_loopback, int64_t now_s) const;

  const TokenVerifier& verifier() const noexcept { return verifier_; }

 private:
  TokenVerifier verifier_;
  Passcode publish_password_;
  std::string node_id_;
};

}  // namespace auth
