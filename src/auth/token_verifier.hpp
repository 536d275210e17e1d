#pragma once
// Verifies AIRClass JWTs. libjwt checks the signature; everything it would let through on its
// own is refused here first or after: the header's alg must be exactly the configured one before
// libjwt sees the token (libjwt 1.10 picks the algorithm from the header, so an HS256 token
// MACed with an ES256 public key's PEM text would verify: key confusion), the decoded alg is
// checked again, and every claim is type- and range-checked by us. Pure: `now` is passed in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token_claims.hpp"
#include "auth/token_signer.hpp"

namespace auth {

enum class TokenError : uint8_t {
  None,
  Missing,       // no token presented
  TooLong,       // over MaxTokenSize
  Malformed,     // not three base64url segments of JSON objects
  BadAlgorithm,  // alg is none, absent, or not the configured one
  BadSignature,
  Expired,      // exp <= now - leeway
  NotYetValid,  // iat > now + leeway
  WrongIssuer,
  MissingClaim,   // sub, user_type, path, action, iat, exp or iss absent
  BadClaim,       // a claim of the wrong JSON type or an unacceptable value
  BadMaxQuality,  // max_quality present but not a string of 1..16 [a-z0-9]
};
// A short fixed message, safe to return to the client or log: never echoes token or key.
std::string_view to_string(TokenError error) noexcept;
// Forged or garbled: a guess at a token. An honest page's expired or not-yet-valid token is
// not (a classroom's pages behind one NAT would throttle each other every hour), nor no token.
bool looks_forged(TokenError error) noexcept;

struct VerifierConfig {
  Algorithm algorithm = Algorithm::Hs256;
  std::string key;  // HS256: the shared secret; ES256: PEM public key on P-256
  std::string issuer = "airclass";
  int64_t leeway_s = 5;  // clock skew allowed between nodes, 0..300
};

struct Verification {
  TokenError error = TokenError::Missing;
  TokenClaims claims;  // meaningful only when ok()
  bool ok() const noexcept { return error == TokenError::None; }
};

class TokenVerifier {
 public:
  // Empty optional and the reason in `error` (never any key material) when the key is unusable
  // (short secret, not a P-256 public key) or the leeway is out of range.
  static std::optional<TokenVerifier> create(VerifierConfig config, std::string& error);

  Verification verify(std::string_view token, int64_t now_s) const noexcept;

  Algorithm algorithm() const noexcept { return config_.algorithm; }

 private:
  explicit TokenVerifier(VerifierConfig config) : config_(std::move(config)) {}

  VerifierConfig config_;
};

// Parses a JWT payload (JSON text) into claims: every required claim present with its JSON type,
// user_type and action known, iat/exp integers in 0..MaxTimestamp, the optional node a string and
// the optional max_quality valid (BadMaxQuality). Checks no signature, issuer
// or clock; exposed for tests and the fuzz target.
TokenError parse_claims(std::string_view json, TokenClaims& out) noexcept;

}  // namespace auth
