#include "auth/token_signer.hpp"

#include <jwt.h>
#include <openssl/err.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <utility>

#include "auth/es256_key.hpp"

namespace auth {
namespace {

static_assert(sizeof(long) == sizeof(int64_t), "libjwt integer grants are `long`");

struct JwtFree {
  void operator()(jwt_t* j) const noexcept { jwt_free(j); }
};
struct CharFree {
  void operator()(char* s) const noexcept { std::free(s); }
};

bool add_claims(jwt_t* jwt, const TokenClaims& c) {
  auto text = [&](const char* name, const std::string& value) {
    return jwt_add_grant(jwt, name, value.c_str()) == 0;
  };
  const std::string user_type(to_string(c.user_type));
  const std::string action(to_string(c.action));
  bool ok = text("iss", c.iss) && text("sub", c.sub) && text("user_type", user_type) &&
            text("path", c.path) && text("action", action) &&
            jwt_add_grant_int(jwt, "iat", static_cast<long>(c.iat)) == 0 &&
            jwt_add_grant_int(jwt, "exp", static_cast<long>(c.exp)) == 0;
  if (ok && !c.node.empty()) ok = text("node", c.node);
  if (ok && !c.max_quality.empty()) ok = text("max_quality", c.max_quality);
  return ok;
}

jwt_alg_t jwt_algorithm(Algorithm a) noexcept {
  return a == Algorithm::Es256 ? JWT_ALG_ES256 : JWT_ALG_HS256;
}

}  // namespace

std::string_view to_string(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::Es256 ? "ES256" : "HS256";
}

std::optional<TokenSigner> TokenSigner::create(SignerConfig config, std::string& error) {
  error.clear();
  if (config.algorithm == Algorithm::Hs256 && config.key.size() < MinHs256SecretSize)
    error = "HS256 secret must be at least 32 bytes";
  else if (config.algorithm == Algorithm::Es256 && !is_es256_private_key(config.key))
    error = "ES256 signing key must be a PEM private key on curve P-256";
  else if (config.key.size() > INT_MAX)
    error = "signing key too large";
  else if (!valid_name(config.issuer, MaxIssuerSize))
    error = "issuer must be 1..128 bytes without control characters";
  else if (config.ttl_s < 1 || config.ttl_s > MaxTokenLifetime)
    error = "token ttl must be 1..86400 seconds";
  if (!error.empty()) return std::nullopt;
  return TokenSigner(std::move(config));
}

TokenSigner::Issued TokenSigner::issue(const Grant& grant, int64_t now_s) const {
  return issue(grant, now_s, config_.ttl_s);
}

TokenSigner::Issued TokenSigner::issue(const Grant& grant, int64_t now_s, int64_t ttl_s) const {
  Issued out;
  if (ttl_s < 1 || ttl_s > MaxTokenLifetime) {
    out.error = "token lifetime out of range";
    return out;
  }
  auto path = normalize_path(grant.path);
  if (!path) {
    out.error = "path is not a valid stream path";
    return out;
  }
  if (now_s < 0 || now_s > MaxTimestamp) {
    out.error = "clock out of range";
    return out;
  }
  out.claims =
      TokenClaims{grant.sub,     grant.user_type, std::move(*path), grant.action,     now_s,
                  now_s + ttl_s, config_.issuer,  grant.node,       grant.max_quality};
  if (auto why = check_claims(out.claims); !why.empty()) {
    out.error = why;
    return out;
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) {
    out.error = "token encoder unavailable";
    return out;
  }
  const std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  const auto* key = reinterpret_cast<const unsigned char*>(config_.key.data());
  if (!add_claims(jwt.get(), out.claims) ||
      jwt_set_alg(jwt.get(), jwt_algorithm(config_.algorithm), key,
                  static_cast<int>(config_.key.size())) != 0) {
    out.error = "token encoding failed";  // e.g. a subject that is not valid UTF-8
    return out;
  }
  const std::unique_ptr<char, CharFree> encoded(jwt_encode_str(jwt.get()));
  ERR_clear_error();
  if (!encoded) {
    out.error = "token signing failed";
    return out;
  }
  out.token = encoded.get();
  if (out.token.size() > MaxTokenSize) {
    out.token.clear();
    out.error = "token too long";
  }
  return out;
}

}  // namespace auth
