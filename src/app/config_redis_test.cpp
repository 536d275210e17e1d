// The cluster-on-Redis keys (redisAddress, redisPassword, redisPrefix, redisTimeout): syntax,
// secrecy, and which nodes need what once Redis holds the cluster.
#include <gtest/gtest.h>

#include "app/config.hpp"
#include "app/config_test_support.hpp"

namespace app {
namespace {

const std::string kCluster =
    "  clusterSecret: cluster-secret-0123456789abcdef0123\n"
    "  tokenSecret: 0123456789abcdef0123456789abcdef\n";

using test::validate_error;

TEST(ConfigRedis, DefaultsAreNoRedis) {
  Config c;
  EXPECT_EQ(c.redis_address, "");
  EXPECT_EQ(c.redis_password, "");
  EXPECT_EQ(c.redis_prefix, "airclass:");
  EXPECT_EQ(c.redis_timeout, std::chrono::milliseconds(500));
}

TEST(ConfigRedis, ReadFromFileEnvironmentAndCommandLine) {
  auto c = parse_config(
      "airclass:\n  redisAddress: redis.school.lan:6380\n  redisPassword: s3cret\n"
      "  redisPrefix: 'class-a:'\n  redisTimeout: 250ms\n");
  EXPECT_EQ(c.redis_address, "redis.school.lan:6380");
  EXPECT_EQ(c.redis_password, "s3cret");
  EXPECT_EQ(c.redis_prefix, "class-a:");
  EXPECT_EQ(c.redis_timeout, std::chrono::milliseconds(250));
  apply_environment(c, {{"AIRCLASS_REDIS_ADDRESS", "[::1]:6379"}});
  EXPECT_EQ(c.redis_address, "[::1]:6379");
  apply_setting(c, "redisTimeout", "2s", "--set redisTimeout");
  EXPECT_EQ(c.redis_timeout, std::chrono::seconds(2));
  EXPECT_EQ(print_config(c).find("s3cret"), std::string::npos);  // a secret
}

TEST(ConfigRedis, RefusesMalformedValues) {
  for (const char* bad :
       {"redisAddress: redis", "redisAddress: 'redis:'", "redisAddress: redis:0",
        "redisAddress: redis:99999", "redisAddress: 'http://redis:6379'",
        "redisAddress: 'redis:6379/0'", "redisAddress: '[::1]'", "redisPrefix: ''",
        "redisPrefix: 'a b'", "redisTimeout: 10ms", "redisTimeout: 1h"}) {
    EXPECT_THROW(parse_config(std::string("airclass:\n  ") + bad + "\n"), ConfigError) << bad;
  }
  EXPECT_THROW(parse_config("airclass:\n  redisPassword: '" + std::string(600, 'p') + "'\n"),
               ConfigError);
}

TEST(ConfigRedis, ASubOnRedisNeedsNoMainUrl) {
  auto sub = parse_config("airclass:\n  mode: sub\n  redisAddress: 127.0.0.1:6379\n" + kCluster);
  EXPECT_EQ(validate_error(sub), "");
  auto alone = parse_config("airclass:\n  mode: sub\n" + kCluster);
  EXPECT_NE(validate_error(alone).find("airclass.redisAddress for a cluster on Redis"),
            std::string::npos);
}

TEST(ConfigRedis, Es256NodesOnRedisNeedThePrivateKey) {
  auto sub = parse_config(
      "airclass:\n  mode: sub\n  redisAddress: 127.0.0.1:6379\n  tokenAlgorithm: ES256\n"
      "  tokenPublicKeyFile: /nonexistent/pub.pem\n" +
      kCluster);
  EXPECT_NE(validate_error(sub).find("needs airclass.tokenPrivateKeyFile on every node"),
            std::string::npos);
}

TEST(ConfigRedis, StandaloneIgnoresRedisWithAWarning) {
  auto c = parse_config("airclass:\n  redisAddress: 127.0.0.1:6379\n");
  validate(c);
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings.back().find("ignored on a standalone node"), std::string::npos);
}

}  // namespace
}  // namespace app
