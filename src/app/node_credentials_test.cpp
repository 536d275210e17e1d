#include "app/node_credentials.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "auth/es256_key.hpp"

namespace app {
namespace {

constexpr int64_t kNow = 1'800'000'000;

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(NodeCredentials, UnsetSecretsAreGeneratedAndAnnounced) {
  Config c;
  const auto creds = make_node_credentials(c);
  ASSERT_TRUE(creds.signer);
  EXPECT_EQ(creds.generated.size(), 3u);  // token secret, publish password, teacher passcode
  EXPECT_EQ(creds.publish_password.size(), 10u);
  EXPECT_TRUE(creds.teacher_passcode.configured());
  EXPECT_FALSE(creds.class_code.configured());
  // Two starts never share a password.
  EXPECT_NE(make_node_credentials(c).publish_password, creds.publish_password);
  // What the signer issues, the policy accepts.
  const auto t =
      creds.signer->issue(auth::Grant::make(auth::UserType::Student, "a", "live/stream"), kNow);
  EXPECT_TRUE(creds.policy->check_whep("live/stream", t.token, "", kNow).ok());
}

TEST(NodeCredentials, ConfiguredSecretsAreUsedAsGiven) {
  Config c;
  c.token_secret = std::string(40, 's');
  c.publish_password = "phone-pass";
  c.teacher_passcode = "teach-me";
  const auto creds = make_node_credentials(c);
  EXPECT_TRUE(creds.generated.empty());
  EXPECT_TRUE(creds.teacher_passcode.matches("teach-me"));
  EXPECT_TRUE(
      creds.policy->check_rtmp_publish("live/stream", std::nullopt, std::string("phone-pass"), kNow)
          .ok());
}

TEST(NodeCredentials, Es256MainSignsSubOnlyVerifies) {
  const auto pair = auth::generate_es256_key_pair();
  ASSERT_TRUE(pair);
  Config main;
  main.token_algorithm = TokenAlgorithm::Es256;
  main.token_private_key_file = write_temp("airclass_es256_private.pem", pair->private_pem);
  const auto main_creds = make_node_credentials(main);
  ASSERT_TRUE(main_creds.signer);

  Config sub;
  sub.token_algorithm = TokenAlgorithm::Es256;
  sub.mode = NodeMode::Sub;
  sub.token_public_key_file = write_temp("airclass_es256_public.pem", pair->public_pem);
  const auto sub_creds = make_node_credentials(sub);
  EXPECT_FALSE(sub_creds.signer);  // a sub cannot mint tokens
  const auto t = main_creds.signer->issue(
      auth::Grant::make(auth::UserType::Student, "a", "live/stream"), kNow);
  EXPECT_TRUE(sub_creds.policy->check_whep("live/stream", t.token, "", kNow).ok());

  // A public key where the private one belongs, and garbage, stop the start.
  Config wrong = main;
  wrong.token_private_key_file = sub.token_public_key_file;
  EXPECT_THROW(make_node_credentials(wrong), ConfigError);
  wrong.token_private_key_file = write_temp("airclass_garbage.pem", "not a key");
  EXPECT_THROW(make_node_credentials(wrong), ConfigError);
  wrong.token_private_key_file = "/nonexistent/airclass.pem";
  EXPECT_THROW(make_node_credentials(wrong), ConfigError);
}

}  // namespace
}  // namespace app
