#pragma once
// Issues AIRClass JWTs (RFC 7519) through libjwt. Pure: the caller passes `now`.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token_claims.hpp"

namespace auth {

enum class Algorithm : uint8_t {
  Hs256,  // HMAC-SHA256 with a shared secret: every node can issue and verify (RFC 7518 3.2)
  Es256,  // ECDSA P-256: only the main node holds the private key (RFC 7518 3.4)
};
std::string_view to_string(Algorithm algorithm) noexcept;  // "HS256", "ES256" (the JWS names)

// RFC 7518 3.2: an HS256 key must be at least as long as the hash output.
inline constexpr size_t MinHs256SecretSize = 32;
// Longer tokens are refused unread; ours are about 350 bytes.
inline constexpr size_t MaxTokenSize = 4096;
inline constexpr int64_t MaxTokenLifetime = 24 * 3600;

struct SignerConfig {
  Algorithm algorithm = Algorithm::Hs256;
  // HS256: the shared secret (generate_secret() in passcode.hpp makes one);
  // ES256: PEM private key on P-256 (generate_es256_key_pair() in es256_key.hpp).
  std::string key;
  std::string issuer = "airclass";
  int64_t ttl_s = 3600;  // the token API's `expires_in`
};

class TokenSigner {
 public:
  // Empty optional and the reason in `error` (never any key material) when the key is too short,
  // not a P-256 private key, the issuer is invalid or ttl_s is outside 1..MaxTokenLifetime.
  static std::optional<TokenSigner> create(SignerConfig config, std::string& error);

  struct Issued {
    std::string token;
    TokenClaims claims;
    std::string_view error;  // empty on success; a fixed message otherwise
    bool ok() const noexcept { return error.empty(); }
  };

  // Normalizes grant.path, checks the grant (check_grant) and signs iss, sub, user_type, path,
  // action, iat = now_s, exp = now_s + ttl_s, node and max_quality (each when set).
  Issued issue(const Grant& grant, int64_t now_s) const;
  // The same with its own lifetime (1..MaxTokenLifetime, else refused), for tokens that must
  // outlive the configured one.
  Issued issue(const Grant& grant, int64_t now_s, int64_t ttl_s) const;

  Algorithm algorithm() const noexcept { return config_.algorithm; }
  int64_t ttl_s() const noexcept { return config_.ttl_s; }
  const std::string& issuer() const noexcept { return config_.issuer; }

 private:
  explicit TokenSigner(SignerConfig config) : config_(std::move(config)) {}

  SignerConfig config_;
};

}  // namespace auth
