#include "app/secret_check.hpp"

#include "app/api_response.hpp"
#include "app/logging.hpp"
#include "http/rate_limiter.hpp"

namespace app {

const char* secret_name(auth::Secret secret) noexcept {
  switch (secret) {
    case auth::Secret::TeacherPasscode:
      return "teacher passcode";
    case auth::Secret::AdminKey:
      return "admin key";
    case auth::Secret::ClassCode:
      return "class code";
    case auth::Secret::PublishPassword:
      return "publish password";
    case auth::Secret::Bearer:
      return "token";
    case auth::Secret::WhepSessionKey:
      return "WHEP session key";
  }
  return "secret";
}

SecretOutcome check_secret(auth::FailedAuthLimiter& limiter, std::string_view client,
                           auth::Secret secret, const std::function<bool()>& matches) {
  return check_secret(limiter, client, secret, std::function<SecretMatch()>([&] {
                        return matches() ? SecretMatch::Right : SecretMatch::Wrong;
                      }));
}

SecretOutcome check_secret(auth::FailedAuthLimiter& limiter, std::string_view client,
                           auth::Secret secret, const std::function<SecretMatch()>& check) {
  const auto key = http::RateLimiter::client_key(client);
  const auto now = auth::FailedAuthLimiter::Clock::now();
  if (const auto d = limiter.check(key, secret, now); !d.allowed) {
    return {SecretVerdict::Throttled, d.retry_after};
  }
  const auto match = check();
  if (match == SecretMatch::NotAGuess) return {SecretVerdict::Uncounted, {}};
  if (match == SecretMatch::Right) {
    limiter.succeeded(key, secret);
    return {SecretVerdict::Passed, {}};
  }
  const auto run = limiter.failed(key, secret, now);
  const auto total = limiter.counts(secret).failures;
  // Guessers come in floods: the first ten failures of a secret, then every 100th, and each
  // client's first failure that starts a back-off.
  if (total <= 10 || total % 100 == 0 ||
      run == auth::FailedAuthLimiter::Limits{}.free_failures + 1) {
    logger("auth")->warn("wrong {} from {} ({} in a row from there, {} in all)",
                         auth::to_string(secret), client, run, total);
  }
  return {SecretVerdict::Failed, {}};
}

SecretMatch token_match(auth::TokenError error) noexcept {
  return auth::looks_forged(error) ? SecretMatch::Wrong : SecretMatch::NotAGuess;
}

http::Response throttled_response(const http::Request& request, auth::Secret secret,
                                  std::chrono::seconds retry_after) {
  auto res =
      json_error(request, http::Status::too_many_requests,
                 std::string("too many wrong attempts at the ") + secret_name(secret) +
                     " from this address; retry in " + std::to_string(retry_after.count()) + " s");
  res.set(boost::beast::http::field::retry_after, std::to_string(retry_after.count()));
  return res;
}

}  // namespace app
