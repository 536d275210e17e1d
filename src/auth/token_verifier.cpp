#include "auth/token_verifier.hpp"

#include <jwt.h>
#include <openssl/err.h>

#include <climits>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/base64url.hpp"
#include "auth/es256_key.hpp"

namespace auth {
namespace {

using Json = nlohmann::json;

constexpr int64_t MaxLeeway = 300;

struct JwtFree {
  void operator()(jwt_t* j) const noexcept { jwt_free(j); }
};

// Compact serialization (RFC 7515 7.1): header '.' payload '.' signature, nothing else.
struct Segments {
  std::string_view header, payload, signature;
};

std::optional<Segments> split(std::string_view token) noexcept {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  return Segments{token.substr(0, first), token.substr(first + 1, second - first - 1),
                  token.substr(second + 1)};
}

std::optional<Json> parse_object(std::string_view b64) {
  const auto text = base64url_decode_text(b64, MaxTokenSize);
  if (!text) return std::nullopt;
  Json json = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  return json;
}

// RFC 7515 4.1.1 (alg) and 4.1.11 (crit: we understand no extension, so any crit is refused).
TokenError check_header(std::string_view b64, Algorithm expected) {
  const auto header = parse_object(b64);
  if (!header) return TokenError::Malformed;
  if (header->contains("crit")) return TokenError::Malformed;
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return TokenError::BadAlgorithm;
  if (alg->get_ref<const std::string&>() != to_string(expected)) return TokenError::BadAlgorithm;
  return TokenError::None;
}

// RFC 7518 3.2: HS256 MAC is 32 bytes; 3.4: ES256 signature is R || S, 64 bytes.
bool signature_shape_ok(std::string_view b64, Algorithm algorithm) noexcept {
  const auto sig = base64url_decode(b64, 128);
  return sig && sig->size() == (algorithm == Algorithm::Es256 ? 64u : 32u);
}

// libjwt with the key verifies the MAC/signature; it must also report the alg we expected.
TokenError check_signature(const std::string& token, const VerifierConfig& config) {
  jwt_t* raw = nullptr;
  const int rc =
      jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(config.key.data()),
                 static_cast<int>(config.key.size()));
  const std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  ERR_clear_error();  // failed checks leave entries on this thread's OpenSSL error queue
  if (rc != 0 || !jwt) return TokenError::BadSignature;
  const jwt_alg_t want = config.algorithm == Algorithm::Es256 ? JWT_ALG_ES256 : JWT_ALG_HS256;
  if (jwt_get_alg(jwt.get()) != want) return TokenError::BadAlgorithm;
  return TokenError::None;
}

TokenError get_string(const Json& claims, const char* name, std::string& out, bool required) {
  const auto it = claims.find(name);
  if (it == claims.end()) return required ? TokenError::MissingClaim : TokenError::None;
  if (!it->is_string()) return TokenError::BadClaim;
  out = it->get_ref<const std::string&>();
  return TokenError::None;
}

// RFC 7519 2: NumericDate. We only issue integers, so fractions and huge values are refused.
TokenError get_time(const Json& claims, const char* name, int64_t& out) {
  const auto it = claims.find(name);
  if (it == claims.end()) return TokenError::MissingClaim;
  if (it->is_number_unsigned()) {
    const auto v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(MaxTimestamp)) return TokenError::BadClaim;
    out = static_cast<int64_t>(v);
    return TokenError::None;
  }
  if (!it->is_number_integer()) return TokenError::BadClaim;
  out = it->get<int64_t>();
  return out < 0 || out > MaxTimestamp ? TokenError::BadClaim : TokenError::None;
}

// Optional; when present it must be a valid quality name, checked before it is copied.
TokenError get_max_quality(const Json& claims, std::string& out) {
  const auto it = claims.find("max_quality");
  if (it == claims.end()) return TokenError::None;
  if (!it->is_string() || !valid_quality(it->get_ref<const std::string&>()))
    return TokenError::BadMaxQuality;
  out = it->get_ref<const std::string&>();
  return TokenError::None;
}

TokenError extract_claims(const Json& claims, TokenClaims& out) {
  std::string user_type, action;
  for (TokenError e :
       {get_string(claims, "iss", out.iss, true), get_string(claims, "sub", out.sub, true),
        get_string(claims, "user_type", user_type, true),
        get_string(claims, "path", out.path, true), get_string(claims, "action", action, true),
        get_string(claims, "node", out.node, false), get_time(claims, "iat", out.iat),
        get_time(claims, "exp", out.exp), get_max_quality(claims, out.max_quality)}) {
    if (e != TokenError::None) return e;
  }
  const auto type = parse_user_type(user_type);
  const auto act = parse_action(action);
  if (!type || !act) return TokenError::BadClaim;
  out.user_type = *type;
  out.action = *act;
  return TokenError::None;
}

}  // namespace

bool looks_forged(TokenError error) noexcept {
  return error != TokenError::None && error != TokenError::Missing &&
         error != TokenError::Expired && error != TokenError::NotYetValid;
}

std::string_view to_string(TokenError error) noexcept {
  switch (error) {
    case TokenError::None:
      return "ok";
    case TokenError::Missing:
      return "no token";
    case TokenError::TooLong:
      return "token too long";
    case TokenError::Malformed:
      return "malformed token";
    case TokenError::BadAlgorithm:
      return "token algorithm not accepted";
    case TokenError::BadSignature:
      return "bad token signature";
    case TokenError::Expired:
      return "token expired";
    case TokenError::NotYetValid:
      return "token not yet valid";
    case TokenError::WrongIssuer:
      return "token from another issuer";
    case TokenError::MissingClaim:
      return "token lacks a required claim";
    case TokenError::BadClaim:
      return "token has an invalid claim";
    case TokenError::BadMaxQuality:
      return "token has an invalid max_quality claim";
  }
  return "invalid token";
}

TokenError parse_claims(std::string_view json, TokenClaims& out) noexcept {
  try {
    const Json claims = Json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (!claims.is_object()) return TokenError::Malformed;
    return extract_claims(claims, out);
  } catch (...) {  // allocation failure only: parse() was told not to throw
    return TokenError::Malformed;
  }
}

std::optional<TokenVerifier> TokenVerifier::create(VerifierConfig config, std::string& error) {
  error.clear();
  if (config.algorithm == Algorithm::Hs256 && config.key.size() < MinHs256SecretSize)
    error = "HS256 secret must be at least 32 bytes";
  else if (config.algorithm == Algorithm::Es256 && !is_es256_public_key(config.key))
    error = "ES256 verification key must be a PEM public key on curve P-256";
  else if (config.key.size() > INT_MAX)
    error = "verification key too large";
  else if (!valid_name(config.issuer, MaxIssuerSize))
    error = "issuer must be 1..128 bytes without control characters";
  else if (config.leeway_s < 0 || config.leeway_s > MaxLeeway)
    error = "leeway must be 0..300 seconds";
  if (!error.empty()) return std::nullopt;
  return TokenVerifier(std::move(config));
}

Verification TokenVerifier::verify(std::string_view token, int64_t now_s) const noexcept {
  Verification v;
  auto fail = [&v](TokenError e) {
    v.error = e;
    v.claims = {};
    return std::move(v);
  };
  try {
    if (token.empty()) return fail(TokenError::Missing);
    if (token.size() > MaxTokenSize) return fail(TokenError::TooLong);
    const auto segments = split(token);
    if (!segments || segments->header.empty() || segments->payload.empty())
      return fail(TokenError::Malformed);
    // The header decides which code path libjwt takes, so it is judged before libjwt runs.
    if (auto e = check_header(segments->header, config_.algorithm); e != TokenError::None)
      return fail(e);
    if (!signature_shape_ok(segments->signature, config_.algorithm))
      return fail(TokenError::BadSignature);
    const auto payload = parse_object(segments->payload);
    if (!payload) return fail(TokenError::Malformed);
    if (auto e = check_signature(std::string(token), config_); e != TokenError::None)
      return fail(e);
    // Only now is the payload authenticated; read the claims with full type checks.
    if (auto e = extract_claims(*payload, v.claims); e != TokenError::None) return fail(e);
    if (v.claims.iss != config_.issuer) return fail(TokenError::WrongIssuer);
    if (!check_claims(v.claims).empty()) return fail(TokenError::BadClaim);
    if (v.claims.exp - v.claims.iat > MaxTokenLifetime) return fail(TokenError::BadClaim);
    if (v.claims.exp <= now_s - config_.leeway_s) return fail(TokenError::Expired);
    if (v.claims.iat > now_s + config_.leeway_s) return fail(TokenError::NotYetValid);
    v.error = TokenError::None;
    return v;
  } catch (...) {  // allocation failure only
    return fail(TokenError::Malformed);
  }
}

}  // namespace auth
