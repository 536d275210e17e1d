#include "auth/failed_auth_limiter.hpp"

#include <gtest/gtest.h>

namespace auth {
namespace {

using namespace std::chrono_literals;
const auto T0 = FailedAuthLimiter::Clock::time_point{} + 1000s;

TEST(FailedAuthLimiter, FreeFailuresThenDoublingBackoff) {
  FailedAuthLimiter l;  // 5 free, then 1 s, 2 s, 4 s ... up to 60 s
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(l.check("10.0.0.1", Secret::TeacherPasscode, T0).allowed);
    l.failed("10.0.0.1", Secret::TeacherPasscode, T0);
  }
  EXPECT_TRUE(l.check("10.0.0.1", Secret::TeacherPasscode, T0).allowed);
  EXPECT_EQ(l.failed("10.0.0.1", Secret::TeacherPasscode, T0), 6u);
  auto d = l.check("10.0.0.1", Secret::TeacherPasscode, T0 + 500ms);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 1s);
  EXPECT_TRUE(l.check("10.0.0.1", Secret::TeacherPasscode, T0 + 1s).allowed);
  l.failed("10.0.0.1", Secret::TeacherPasscode, T0 + 1s);  // 7th: 2 s
  EXPECT_FALSE(l.check("10.0.0.1", Secret::TeacherPasscode, T0 + 2900ms).allowed);
  EXPECT_TRUE(l.check("10.0.0.1", Secret::TeacherPasscode, T0 + 3s).allowed);
  auto t = T0 + 3s;
  for (int i = 0; i < 20; ++i) {
    l.failed("10.0.0.1", Secret::TeacherPasscode, t);
    t += 61s;
  }
  l.failed("10.0.0.1", Secret::TeacherPasscode, t);
  d = l.check("10.0.0.1", Secret::TeacherPasscode, t);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 60s);  // capped
  EXPECT_EQ(l.counts(Secret::TeacherPasscode).failures, 28u);
  EXPECT_EQ(l.counts(Secret::TeacherPasscode).refused, 3u);
}

TEST(FailedAuthLimiter, OtherAddressesAndOtherSecretsAreNotSlowed) {
  FailedAuthLimiter l({.free_failures = 0});
  l.failed("10.0.0.1", Secret::TeacherPasscode, T0);
  EXPECT_FALSE(l.check("10.0.0.1", Secret::TeacherPasscode, T0).allowed);
  EXPECT_TRUE(l.check("10.0.0.2", Secret::TeacherPasscode, T0).allowed);
  EXPECT_TRUE(l.check("10.0.0.1", Secret::ClassCode, T0).allowed);
  EXPECT_TRUE(l.check("10.0.0.1", Secret::AdminKey, T0).allowed);
}

TEST(FailedAuthLimiter, SuccessForgetsAndQuietTimeResets) {
  FailedAuthLimiter l({.free_failures = 1, .forget_after = 600s});
  l.failed("a", Secret::AdminKey, T0);
  l.succeeded("a", Secret::AdminKey);
  l.failed("a", Secret::AdminKey, T0);
  EXPECT_TRUE(l.check("a", Secret::AdminKey, T0).allowed);  // the run started again
  l.failed("a", Secret::AdminKey, T0 + 601s);               // long after: the first again
  EXPECT_TRUE(l.check("a", Secret::AdminKey, T0 + 601s).allowed);
  l.failed("a", Secret::AdminKey, T0 + 602s);
  EXPECT_FALSE(l.check("a", Secret::AdminKey, T0 + 602s).allowed);
}

TEST(FailedAuthLimiter, MemoryIsBounded) {
  FailedAuthLimiter l({.max_clients = 100});
  for (int i = 0; i < 10000; ++i)
    l.failed("10.1." + std::to_string(i), Secret::Bearer, T0);
  EXPECT_EQ(l.size(), 100u);
  EXPECT_EQ(l.counts(Secret::Bearer).failures, 10000u);
}

TEST(FailedAuthLimiter, ClientKeysCannotCollideAcrossSecrets) {
  FailedAuthLimiter l({.free_failures = 0});
  l.failed(std::string("x\0"
                       "1",
                       3),
           Secret::TeacherPasscode, T0);
  EXPECT_TRUE(l.check("x", Secret::AdminKey, T0).allowed);
  EXPECT_STREQ(to_string(Secret::PublishPassword), "publish_password");
}

}  // namespace
}  // namespace auth
