// check_secret: what counts as a guess. A throttled client is refused unchecked; a right secret
// forgets earlier failures; what is no guess (no token, an expired one, a valid token) neither
// counts nor forgets, so a guesser cannot clear its record by mixing in a token of its own.
#include "app/secret_check.hpp"

#include <gtest/gtest.h>

namespace {

using app::SecretMatch;
using auth::Secret;

app::SecretOutcome attempt(auth::FailedAuthLimiter& limiter, SecretMatch match,
                           int* checked = nullptr) {
  return app::check_secret(limiter, "10.0.0.7:5000", Secret::Bearer, [&] {
    if (checked) ++*checked;
    return match;
  });
}

// Five free failures; the sixth starts the back-off.
TEST(SecretCheck, SixWrongThenThrottledUnchecked) {
  auth::FailedAuthLimiter limiter;
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(attempt(limiter, SecretMatch::Wrong).verdict, app::SecretVerdict::Failed);
  int checked = 0;
  const auto o = attempt(limiter, SecretMatch::Right, &checked);
  EXPECT_TRUE(o.throttled());
  EXPECT_GE(o.retry_after.count(), 1);
  EXPECT_EQ(checked, 0);  // not even looked at
  EXPECT_EQ(limiter.counts(Secret::Bearer).failures, 6u);
  // Another port of the same address is the same client; another address is not.
  EXPECT_TRUE(app::check_secret(limiter, "10.0.0.7:6000", Secret::Bearer, [] {
                return SecretMatch::Right;
              }).throttled());
  EXPECT_TRUE(app::check_secret(limiter, "10.0.0.8:5000", Secret::Bearer, [] {
                return SecretMatch::Right;
              }).passed());
}

TEST(SecretCheck, NoGuessNeitherCountsNorForgets) {
  auth::FailedAuthLimiter limiter;
  for (int i = 0; i < 4; ++i)
    attempt(limiter, SecretMatch::Wrong);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(attempt(limiter, SecretMatch::NotAGuess).verdict, app::SecretVerdict::Uncounted);
  EXPECT_EQ(limiter.counts(Secret::Bearer).failures, 4u);
  // The record was not cleared: the sixth failure starts the back-off.
  attempt(limiter, SecretMatch::Wrong);
  attempt(limiter, SecretMatch::Wrong);
  EXPECT_TRUE(attempt(limiter, SecretMatch::Wrong).throttled());
}

TEST(SecretCheck, RightSecretForgetsTheFailures) {
  auth::FailedAuthLimiter limiter;
  for (int i = 0; i < 4; ++i)
    attempt(limiter, SecretMatch::Wrong);
  EXPECT_TRUE(attempt(limiter, SecretMatch::Right).passed());
  for (int i = 0; i < 6; ++i)
    EXPECT_FALSE(attempt(limiter, SecretMatch::Wrong).throttled()) << i;
  // The bool form: true is Right, false is Wrong.
  auth::FailedAuthLimiter other;
  EXPECT_TRUE(
      app::check_secret(other, "10.0.0.9:1", Secret::ClassCode, [] { return true; }).passed());
  EXPECT_EQ(app::check_secret(other, "10.0.0.9:1", Secret::ClassCode, [] { return false; }).verdict,
            app::SecretVerdict::Failed);
  EXPECT_EQ(other.counts(Secret::ClassCode).failures, 1u);
}

}  // namespace
