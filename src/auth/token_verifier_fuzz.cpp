// libFuzzer target for the JWT verifier and claim parser (style rule 10). Build with
// clang -fsanitize=fuzzer,address,undefined; seed from tests/data/auth/*.jwt.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/authorization.hpp"
#include "auth/base64url.hpp"
#include "auth/token_verifier.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

const auth::TokenVerifier& verifier() {
  static const auth::TokenVerifier v = [] {
    std::string error;
    return *auth::TokenVerifier::create(
        {auth::Algorithm::Hs256, "airclass-fixture-secret-0123456789abcdef"}, error);
  }();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto v = verifier().verify(in, 1'700'000'100);
  if (v.ok()) {
    // Only a correctly signed token may pass; its claims must satisfy our own checks.
    check(auth::check_claims(v.claims).empty());
    (void)auth::authorize(v, v.claims.path, v.claims.action, v.claims.node);
  }
  auth::TokenClaims claims;
  if (auth::parse_claims(in, claims) == auth::TokenError::None)
    check(auth::parse_user_type(auth::to_string(claims.user_type)).has_value());
  if (const auto decoded = auth::base64url_decode(in))
    check(auth::base64url_encode(*decoded) == in);
  (void)auth::bearer_token(in);
  (void)auth::normalize_path(in);
  return 0;
}
