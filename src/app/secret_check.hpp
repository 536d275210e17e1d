#pragma once
// One check of a secret a client presents (passcode, admin key, class code, publish password,
// bearer token) through the node's failed-authentication limiter: refused unchecked while that
// client is in back-off for that secret, failures counted and logged, a success forgetting
// them. Every way in (token API, status API, WHEP, RTMP) checks its secrets through here.
#include <chrono>
#include <functional>
#include <string_view>

#include "auth/failed_auth_limiter.hpp"
#include "auth/token_verifier.hpp"
#include "http/router.hpp"

namespace app {

enum class SecretVerdict : uint8_t { Passed, Failed, Throttled, Uncounted };

// What a check found. NotAGuess: neither a failure nor a success that forgets earlier failures
// (no token, an expired one; and a valid token, which a guesser could mix in to clear its
// record); the caller goes by its own verdict.
enum class SecretMatch : uint8_t { Right, Wrong, NotAGuess };

struct SecretOutcome {
  SecretVerdict verdict = SecretVerdict::Failed;
  std::chrono::seconds retry_after{0};  // Throttled: when to try again
  bool passed() const noexcept { return verdict == SecretVerdict::Passed; }
  bool throttled() const noexcept { return verdict == SecretVerdict::Throttled; }
};

// "teacher passcode", "admin key", "class code", "publish password", "token": for messages.
const char* secret_name(auth::Secret secret) noexcept;

// `client` is the remote address as the listener reports it ("1.2.3.4:5678", "[::1]:80"); the
// limiter keys on its IP (an IPv6 /64). `matches` runs only when the client is not throttled.
SecretOutcome check_secret(auth::FailedAuthLimiter& limiter, std::string_view client,
                           auth::Secret secret, const std::function<bool()>& matches);
SecretOutcome check_secret(auth::FailedAuthLimiter& limiter, std::string_view client,
                           auth::Secret secret, const std::function<SecretMatch()>& check);

// A token check as a guess: a forged or garbled token is Wrong; a valid, expired or missing
// one is NotAGuess (it neither counts nor clears the record).
SecretMatch token_match(auth::TokenError error) noexcept;

// The answer to a throttled client: 429 with Retry-After, naming the secret.
http::Response throttled_response(const http::Request& request, auth::Secret secret,
                                  std::chrono::seconds retry_after);

}  // namespace app
